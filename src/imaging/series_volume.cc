#include "imaging/series_volume.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "imaging/dicom_read.h"

namespace medai::imaging {
namespace {

Status refuse(std::string_view reason, std::string message, nlohmann::json detail = nlohmann::json::object()) {
  detail["reason"] = reason;
  return make_error(ErrorCode::invalid_series, std::move(message), std::move(detail));
}

// What pass 1 keeps of each file: geometry and identity, no pixels.
struct SliceHeader {
  std::size_t index = 0;
  int rows = 0, columns = 0;
  bool has_position = false, has_spacing = false;
  Vec3 position, row_dir, col_dir;
  double row_spacing = 0, column_spacing = 0;  // Pixel Spacing [0] between rows (j), [1] between columns (i)
  int samples = 1, frames = 1;
  bool localizer = false;
  std::optional<double> thickness;
  std::string modality, study_uid, series_uid, for_uid, sop_uid;
  double along = 0;  // position along the slice normal
};

Result<SliceHeader> read_header(DcmDataset& ds, std::size_t index) {
  SliceHeader h;
  h.index = index;
  Uint16 v = 0;
  if (ds.findAndGetUint16(DCM_Rows, v).good()) h.rows = v;
  if (ds.findAndGetUint16(DCM_Columns, v).good()) h.columns = v;
  if (ds.findAndGetUint16(DCM_SamplesPerPixel, v).good()) h.samples = v;
  Sint32 frames = 1;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1) h.frames = frames;
  if (h.rows == 0 || h.columns == 0 || !ds.tagExists(DCM_PixelData))
    return make_error(ErrorCode::dicom_missing_attribute, "an image of the series has no pixel data",
                      {{"index", index}});
  Float64 p[6];
  bool ok = true;
  for (unsigned long n = 0; n < 3; ++n) ok = ok && ds.findAndGetFloat64(DCM_ImagePositionPatient, p[n], n).good();
  if (ok) h.position = {p[0], p[1], p[2]};
  bool ok_o = true;
  for (unsigned long n = 0; n < 6; ++n) ok_o = ok_o && ds.findAndGetFloat64(DCM_ImageOrientationPatient, p[n], n).good();
  if (ok_o) {
    h.row_dir = {p[0], p[1], p[2]};
    h.col_dir = {p[3], p[4], p[5]};
  }
  h.has_position = ok && ok_o;
  Float64 s0 = 0, s1 = 0;
  h.has_spacing = ds.findAndGetFloat64(DCM_PixelSpacing, s0, 0).good() &&
                  ds.findAndGetFloat64(DCM_PixelSpacing, s1, 1).good() && s0 > 0 && s1 > 0;
  h.row_spacing = s0;
  h.column_spacing = s1;
  Float64 t = 0;
  if (ds.findAndGetFloat64(DCM_SliceThickness, t).good() && t > 0) h.thickness = t;
  h.modality = get_string(ds, DCM_Modality);
  h.study_uid = get_string(ds, DCM_StudyInstanceUID);
  h.series_uid = get_string(ds, DCM_SeriesInstanceUID);
  h.for_uid = get_string(ds, DCM_FrameOfReferenceUID);
  h.sop_uid = get_string(ds, DCM_SOPInstanceUID);
  OFString type;
  for (unsigned long n = 0; ds.findAndGetOFString(DCM_ImageType, type, n).good(); ++n)
    if (type == "LOCALIZER") h.localizer = true;
  return h;
}

bool close(const Vec3& a, const Vec3& b, double tol) {
  return std::fabs(a.x - b.x) <= tol && std::fabs(a.y - b.y) <= tol && std::fabs(a.z - b.z) <= tol;
}

using Loader = std::function<Result<std::unique_ptr<DcmFileFormat>>(std::size_t index, bool header_only)>;

Result<SeriesVolume> load(std::size_t count, const Loader& loader, const SeriesLoadOptions& options) {
  if (count < 2)
    return refuse("too_few_slices", "a volume needs at least two images", {{"images", count}});
  // Pass 1: headers only.
  std::vector<SliceHeader> slices;
  slices.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    MEDAI_ASSIGN_OR_RETURN(auto file, loader(i, true));
    MEDAI_ASSIGN_OR_RETURN(SliceHeader h, read_header(*file->getDataset(), i));
    slices.push_back(std::move(h));
  }
  const SliceHeader& first = slices.front();
  for (const SliceHeader& h : slices) {
    if (h.frames > 1)
      return refuse("multi_frame", "multi-frame images are not read as a series of slices",
                    {{"index", h.index}, {"frames", h.frames}});
    if (h.series_uid != first.series_uid)
      return refuse("mixed_series", "the images belong to more than one series", {{"index", h.index}});
    if (!h.has_position || !h.has_spacing)
      return refuse("missing_position",
                    "an image lacks Image Position (Patient), Image Orientation (Patient) or Pixel Spacing",
                    {{"index", h.index}});
    if (h.samples != 1)
      return refuse("not_grayscale", "only single-sample (grayscale) images form a volume",
                    {{"index", h.index}, {"samples_per_pixel", h.samples}});
  }
  const Vec3 r = first.row_dir, c = first.col_dir;
  if (std::fabs(r.norm2() - 1) > 1e-3 || std::fabs(c.norm2() - 1) > 1e-3 || std::fabs(r.dot(c)) > 1e-3)
    return refuse("invalid_orientation", "Image Orientation (Patient) is not two orthogonal unit vectors");
  std::size_t localizers = 0, off_orientation = 0;
  for (const SliceHeader& h : slices) {
    localizers += h.localizer ? 1 : 0;
    if (!close(h.row_dir, r, options.orientation_tolerance) || !close(h.col_dir, c, options.orientation_tolerance))
      ++off_orientation;
  }
  if (off_orientation > 0)
    return refuse("mixed_orientation", "the images of the series are not all in the same orientation",
                  {{"images_off_orientation", off_orientation}, {"localizers", localizers}});
  for (const SliceHeader& h : slices)
    if (h.rows != first.rows || h.columns != first.columns ||
        std::fabs(h.row_spacing - first.row_spacing) > 1e-4 ||
        std::fabs(h.column_spacing - first.column_spacing) > 1e-4)
      return refuse("mixed_size", "the images of the series differ in size or pixel spacing", {{"index", h.index}});

  const std::size_t voxels = static_cast<std::size_t>(first.rows) * first.columns * slices.size();
  if (voxels > options.max_voxels)
    return refuse("too_large", "the series is larger than this server loads as one volume",
                  {{"voxels", voxels}, {"max_voxels", options.max_voxels}});

  // Order along the normal.
  Vec3 n = r.cross(c);
  n = n * (1.0 / std::sqrt(n.norm2()));
  for (SliceHeader& h : slices) h.along = h.position.dot(n);
  std::stable_sort(slices.begin(), slices.end(),
                   [](const SliceHeader& a, const SliceHeader& b) { return a.along < b.along; });
  std::vector<double> gaps;
  for (std::size_t k = 1; k < slices.size(); ++k) {
    const double gap = slices[k].along - slices[k - 1].along;
    if (gap < 1e-3)
      return refuse("duplicate_position", "two images of the series are at the same position",
                    {{"indices", {slices[k - 1].index, slices[k].index}}, {"position_mm", slices[k].along}});
    gaps.push_back(gap);
  }
  for (const SliceHeader& h : slices) {
    const Vec3 d = h.position - first.position;  // first in input order; any reference works
    const double along = d.dot(n);
    const Vec3 in_plane = d - n * along;
    if (std::sqrt(in_plane.norm2()) > options.tilt_tolerance * std::fabs(along) + 0.02)
      return refuse("gantry_tilt",
                    "slice positions do not lie along the slice normal (gantry tilt); resample the series first",
                    {{"index", h.index}, {"in_plane_offset_mm", std::sqrt(in_plane.norm2())}});
  }
  std::vector<double> sorted_gaps = gaps;
  std::nth_element(sorted_gaps.begin(), sorted_gaps.begin() + sorted_gaps.size() / 2, sorted_gaps.end());
  const double median = sorted_gaps[sorted_gaps.size() / 2];
  const double tol = std::max(options.gap_tolerance * median, 0.01);
  for (std::size_t k = 0; k < gaps.size(); ++k)
    if (std::fabs(gaps[k] - median) > tol) {
      const auto [lo, hi] = std::minmax_element(gaps.begin(), gaps.end());
      return refuse("non_uniform_spacing",
                    "the gaps between slices are not uniform (a missing slice or mixed reconstructions)",
                    {{"slice", k + 1}, {"gap_mm", gaps[k]}, {"median_gap_mm", median}, {"min_gap_mm", *lo},
                     {"max_gap_mm", *hi}});
    }

  SeriesVolume out;
  const int nz = static_cast<int>(slices.size());
  Volume<float>& vol = out.volume;
  vol.nx = first.columns;
  vol.ny = first.rows;
  vol.nz = nz;
  vol.spacing = {first.column_spacing, first.row_spacing, (slices.back().along - slices.front().along) / (nz - 1)};
  const SliceHeader& k0 = slices.front();
  vol.origin = {k0.position.x, k0.position.y, k0.position.z};
  vol.direction = {r.x, c.x, n.x, r.y, c.y, n.y, r.z, c.z, n.z};
  vol.data.assign(static_cast<std::size_t>(vol.nx) * vol.ny * nz, 0.0f);
  out.slice_spacing_mm = vol.spacing[2];
  out.slice_thickness_mm = first.thickness;
  out.modality = first.modality;
  out.study_instance_uid = first.study_uid;
  out.series_instance_uid = first.series_uid;
  out.frame_of_reference_uid = first.for_uid;

  // Pass 2: pixels, one file at a time.
  for (int k = 0; k < nz; ++k) {
    const SliceHeader& h = slices[static_cast<std::size_t>(k)];
    MEDAI_ASSIGN_OR_RETURN(auto file, loader(h.index, false));
    MEDAI_RETURN_IF_ERROR(
        decode_rescaled_frame(*file->getDataset(), h.index, vol.nx, vol.ny, vol.slice(k)));
    out.sop_instance_uids.push_back(h.sop_uid);
    out.source_index.push_back(h.index);
  }
  return out;
}

}  // namespace

Result<SeriesVolume> load_series_volume(const std::vector<std::filesystem::path>& files,
                                        const SeriesLoadOptions& options) {
  return load(
      files.size(),
      [&](std::size_t i, bool header_only) { return load_dicom_file(files[i], i, header_only); }, options);
}

Result<SeriesVolume> load_series_volume(const std::vector<std::string_view>& buffers,
                                        const SeriesLoadOptions& options) {
  return load(
      buffers.size(), [&](std::size_t i, bool) { return load_dicom_buffer(buffers[i], i); }, options);
}

}  // namespace medai::imaging

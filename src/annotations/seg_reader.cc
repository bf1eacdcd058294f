#include "annotations/seg_reader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmiod/cielabutil.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "annotations/common_modules.h"

namespace medai::annotations {
namespace {
using detail::get_string;

constexpr std::size_t kMaxSegments = 512;

Status mismatch(std::string message, nlohmann::json detail = nullptr) {
  return make_error(ErrorCode::geometry_mismatch, "SEG: " + std::move(message), std::move(detail));
}
Status malformed(std::string message, nlohmann::json detail = nullptr) {
  return make_error(ErrorCode::invalid_dicom, "SEG: " + std::move(message), std::move(detail));
}

DcmItem* item_of(DcmItem* parent, const DcmTagKey& seq, int index = 0) {
  DcmItem* item = nullptr;
  if (!parent || parent->findAndGetSequenceItem(seq, item, index).bad()) return nullptr;
  return item;
}

Code code_of(DcmItem* parent, const DcmTagKey& seq) {
  DcmItem* item = item_of(parent, seq);
  if (!item) return {};
  return {get_string(*item, DCM_CodeValue), get_string(*item, DCM_CodingSchemeDesignator),
          get_string(*item, DCM_CodeMeaning)};
}

bool get_doubles(DcmItem* item, const DcmTagKey& tag, double* out, int n) {
  if (!item) return false;
  for (int i = 0; i < n; ++i) {
    Float64 v = 0;
    if (item->findAndGetFloat64(tag, v, static_cast<unsigned long>(i)).bad() || !std::isfinite(v))
      return false;
    out[i] = v;
  }
  return true;
}

// A functional group macro item: per-frame first, then shared.
DcmItem* group(DcmItem* per_frame, DcmItem* shared, const DcmTagKey& seq) {
  if (DcmItem* i = item_of(per_frame, seq)) return i;
  return item_of(shared, seq);
}

}  // namespace

Result<SegLabels> read_seg(const std::string& bytes, const SourceSeries& geometry) {
  MEDAI_ASSIGN_OR_RETURN(std::unique_ptr<DcmFileFormat> file, detail::parse_bytes(bytes));
  DcmDataset& d = *file->getDataset();
  if (get_string(d, DCM_SOPClassUID) != UID_SegmentationStorage)
    return make_error(ErrorCode::unsupported_sop_class, "not a DICOM Segmentation object");
  if (DcmXfer(d.getOriginalXfer()).isEncapsulated())
    return make_error(ErrorCode::unsupported_transfer_syntax, "SEG: compressed pixel data is not supported");
  const std::string type = get_string(d, DCM_SegmentationType);
  if (type != "BINARY" && type != "FRACTIONAL") return malformed("unknown Segmentation Type");
  Uint16 rows = 0, cols = 0;
  if (d.findAndGetUint16(DCM_Rows, rows).bad() || d.findAndGetUint16(DCM_Columns, cols).bad())
    return make_error(ErrorCode::dicom_missing_attribute, "SEG: Rows/Columns missing");
  if (rows != geometry.ny || cols != geometry.nx)
    return mismatch("frame size differs from the series",
                    {{"seg", {cols, rows}}, {"series", {geometry.nx, geometry.ny}}});
  const std::string seg_for = get_string(d, DCM_FrameOfReferenceUID);
  if (!seg_for.empty() && !geometry.frame_of_reference_uid.empty() &&
      seg_for != geometry.frame_of_reference_uid)
    return mismatch("frame of reference differs from the series");
  const long frames = std::atol(get_string(d, DCM_NumberOfFrames).c_str());
  if (frames <= 0 || frames > 1000000) return malformed("Number of Frames missing or out of range");

  SegLabels out;
  out.sop_instance_uid = get_string(d, DCM_SOPInstanceUID);
  out.series_instance_uid = get_string(d, DCM_SeriesInstanceUID);
  std::map<int, std::size_t> index_of_number;
  for (int i = 0;; ++i) {
    DcmItem* s = item_of(&d, DCM_SegmentSequence, i);
    if (!s) break;
    SegSegmentInfo info;
    info.number = std::atoi(get_string(*s, DCM_SegmentNumber).c_str());
    info.label = get_string(*s, DCM_SegmentLabel);
    info.description = get_string(*s, DCM_SegmentDescription);
    info.algorithm_type = get_string(*s, DCM_SegmentAlgorithmType);
    info.algorithm_name = get_string(*s, DCM_SegmentAlgorithmName);
    info.tracking_id = get_string(*s, DCM_TrackingID);
    info.tracking_uid = get_string(*s, DCM_TrackingUID);
    info.category = code_of(s, DCM_SegmentedPropertyCategoryCodeSequence);
    info.type = code_of(s, DCM_SegmentedPropertyTypeCodeSequence);
    Uint16 lab[3];
    bool has_lab = true;
    for (int c = 0; c < 3 && has_lab; ++c)
      has_lab = s->findAndGetUint16(DCM_RecommendedDisplayCIELabValue, lab[c], static_cast<unsigned long>(c))
                    .good();
    if (has_lab) {
      double r, g, b;
      IODCIELabUtil::dicomLab2RGB(r, g, b, lab[0], lab[1], lab[2]);
      info.rgb = {static_cast<int>(std::lround(r * 255)), static_cast<int>(std::lround(g * 255)),
                  static_cast<int>(std::lround(b * 255))};
    }
    if (info.number <= 0 || index_of_number.count(info.number))
      return malformed("invalid or repeated Segment Number");
    // Each segment gets a full mask on the series grid: bound the memory a
    // hostile SEG can make us allocate.
    if (out.segments.size() >= kMaxSegments)
      return make_error(ErrorCode::unprocessable, "SEG: more segments than this reader accepts",
                        {{"max_segments", kMaxSegments}});
    index_of_number[info.number] = out.segments.size();
    out.segments.push_back(info);
    out.masks.push_back(geometry.empty_mask());
  }
  if (out.segments.empty()) return malformed("no segments");

  DcmItem* shared = item_of(&d, DCM_SharedFunctionalGroupsSequence);
  double spacing[2], orient[6];
  if (get_doubles(group(nullptr, shared, DCM_PixelMeasuresSequence), DCM_PixelSpacing, spacing, 2)) {
    if (std::fabs(spacing[0] - geometry.spacing[1]) > 1e-3 ||
        std::fabs(spacing[1] - geometry.spacing[0]) > 1e-3)
      return mismatch("pixel spacing differs from the series");
  }
  if (get_doubles(group(nullptr, shared, DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, orient,
                  6)) {
    const double axial[6] = {1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 6; ++i)
      if (std::fabs(orient[i] - axial[i]) > 1e-4)
        return mismatch("orientation differs from the (axial) series");
  }

  // Pixel data: bits packed frame after frame (BINARY) or one byte per pixel.
  const std::size_t per_frame = static_cast<std::size_t>(rows) * cols;
  const std::size_t needed = type == "BINARY" ? (per_frame * static_cast<std::size_t>(frames) + 7) / 8
                                              : per_frame * static_cast<std::size_t>(frames);
  const Uint8* pixels = nullptr;
  unsigned long pixel_bytes = 0;
  if (d.findAndGetUint8Array(DCM_PixelData, pixels, &pixel_bytes).bad() || !pixels || pixel_bytes < needed)
    return malformed("pixel data missing or shorter than the frames", {{"expected_bytes", needed}});
  double threshold = 0.5;
  if (type == "FRACTIONAL") {
    Uint16 max_fraction = 0;
    d.findAndGetUint16(DCM_MaximumFractionalValue, max_fraction);
    threshold = max_fraction > 0 ? max_fraction / 2.0 : 127.5;
  }

  std::map<std::string, int> slice_of_uid;
  for (int k = 0; k < geometry.nz(); ++k)
    slice_of_uid[geometry.slices[static_cast<std::size_t>(k)].sop_instance_uid] = k;
  const double dz = geometry.spacing[2];
  for (long f = 0; f < frames; ++f) {
    DcmItem* pf = item_of(&d, DCM_PerFrameFunctionalGroupsSequence, static_cast<int>(f));
    if (!pf) return malformed("fewer per-frame functional groups than frames");
    DcmItem* ident = group(pf, shared, DCM_SegmentIdentificationSequence);
    const int number = ident ? std::atoi(get_string(*ident, DCM_ReferencedSegmentNumber).c_str()) : 0;
    auto it = index_of_number.find(number);
    if (it == index_of_number.end())
      return malformed("a frame references an unknown segment", {{"frame", f + 1}});
    int k = -1;
    for (int di = 0; k < 0; ++di) {
      DcmItem* deriv = item_of(pf, DCM_DerivationImageSequence, di);
      if (!deriv) break;
      for (int si = 0; k < 0; ++si) {
        DcmItem* src = item_of(deriv, DCM_SourceImageSequence, si);
        if (!src) break;
        auto u = slice_of_uid.find(get_string(*src, DCM_ReferencedSOPInstanceUID));
        if (u != slice_of_uid.end()) k = u->second;
      }
    }
    double pos[3];
    const bool has_pos =
        get_doubles(group(pf, shared, DCM_PlanePositionSequence), DCM_ImagePositionPatient, pos, 3);
    if (k >= 0) {
      ++out.frames_by_uid;
    } else if (has_pos && dz > 0) {
      const double kk = (pos[2] - geometry.origin[2]) / dz;
      const long kr = std::lround(kk);
      if (kr >= 0 && kr < geometry.nz() &&
          std::fabs(pos[2] - geometry.slices[static_cast<std::size_t>(kr)].position.z) <=
              0.01 + 0.01 * std::fabs(dz))
        k = static_cast<int>(kr);
      if (k >= 0) ++out.frames_by_position;
    }
    if (k < 0) return mismatch("a frame matches no slice of the series", {{"frame", f + 1}});
    if (has_pos) {
      const imaging::Vec3 p = geometry.slices[static_cast<std::size_t>(k)].position;
      if (std::fabs(pos[0] - p.x) > 0.01 || std::fabs(pos[1] - p.y) > 0.01 ||
          std::fabs(pos[2] - p.z) > 0.01 + 0.01 * std::fabs(dz))
        return mismatch("a frame's position differs from its referenced slice", {{"frame", f + 1}});
    }
    std::uint8_t* dst = out.masks[it->second].slice(k);
    const std::size_t base = per_frame * static_cast<std::size_t>(f);
    if (type == "BINARY") {
      for (std::size_t i = 0; i < per_frame; ++i) {
        const std::size_t bit = base + i;
        if ((pixels[bit >> 3] >> (bit & 7)) & 1) dst[i] = 1;
      }
    } else {
      for (std::size_t i = 0; i < per_frame; ++i)
        if (pixels[base + i] >= threshold) dst[i] = 1;
    }
  }
  return out;
}

}  // namespace medai::annotations

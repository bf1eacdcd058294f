#include "annotations/source_series.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <cmath>

namespace medai::annotations {
namespace {

Status invalid(ErrorCode code, std::string message, nlohmann::json detail = nullptr) {
  return make_error(code, std::move(message), std::move(detail));
}

}  // namespace

imaging::Volume<std::uint8_t> SourceSeries::empty_mask() const {
  imaging::Volume<std::uint8_t> v(nx, ny, nz(), 0);
  v.spacing = spacing;
  v.origin = origin;
  return v;
}

const std::vector<std::pair<std::uint16_t, std::uint16_t>>& patient_study_tags() {
  static const std::vector<std::pair<std::uint16_t, std::uint16_t>> tags = {
      {0x0008, 0x0005},  // Specific Character Set
      {0x0010, 0x0010},  // Patient's Name
      {0x0010, 0x0020},  // Patient ID
      {0x0010, 0x0021},  // Issuer of Patient ID
      {0x0010, 0x0030},  // Patient's Birth Date
      {0x0010, 0x0040},  // Patient's Sex
      {0x0010, 0x1010},  // Patient's Age
      {0x0010, 0x1020},  // Patient's Size
      {0x0010, 0x1030},  // Patient's Weight
      {0x0012, 0x0062},  // Patient Identity Removed
      {0x0012, 0x0063},  // De-identification Method
      {0x0020, 0x000D},  // Study Instance UID
      {0x0008, 0x0020},  // Study Date
      {0x0008, 0x0030},  // Study Time
      {0x0008, 0x0090},  // Referring Physician's Name
      {0x0020, 0x0010},  // Study ID
      {0x0008, 0x0050},  // Accession Number
      {0x0008, 0x1030},  // Study Description
  };
  return tags;
}

Status check_same_grid(const SourceSeries& series, const imaging::Volume<std::uint8_t>& mask,
                       const char* what) {
  const double tol = 1e-3;
  bool same = mask.nx == series.nx && mask.ny == series.ny && mask.nz == series.nz() &&
              mask.data.size() == static_cast<std::size_t>(mask.nx) * mask.ny * mask.nz;
  for (int a = 0; same && a < 3; ++a) {
    same = std::fabs(mask.spacing[a] - series.spacing[a]) <= tol &&
           std::fabs(mask.origin[a] - series.origin[a]) <= tol;
  }
  if (!same) {
    return make_error(
        ErrorCode::geometry_mismatch,
        std::string(what) + ": the mask does not have the grid of the source series",
        {{"mask_size", {mask.nx, mask.ny, mask.nz}}, {"series_size", {series.nx, series.ny, series.nz()}}});
  }
  return Status::ok();
}

Result<SourceSeries> source_series_from_files(const std::vector<std::filesystem::path>& files) {
  if (files.empty()) return invalid(ErrorCode::invalid_argument, "the source series has no files");
  struct Header {
    std::string sop_uid;
    double x, y, z;
  };
  std::vector<Header> headers;
  SourceSeries s;
  double row_spacing = 0, col_spacing = 0;
  for (std::size_t n = 0; n < files.size(); ++n) {
    DcmFileFormat f;
    if (f.loadFile(files[n].c_str(), EXS_Unknown, EGL_noChange, 4096).bad()) {
      return invalid(ErrorCode::invalid_dicom, "a source file is not readable DICOM", {{"file_index", n}});
    }
    DcmDataset& d = *f.getDataset();
    auto str = [&](const DcmTagKey& t, unsigned long pos = 0) {
      OFString v;
      d.findAndGetOFString(t, v, pos);
      return std::string(v.c_str());
    };
    Float64 pos[3] = {0, 0, 0}, orient[6] = {0, 0, 0, 0, 0, 0}, spacing[2] = {0, 0};
    Uint16 rows = 0, cols = 0;
    bool ok = d.findAndGetUint16(DCM_Rows, rows).good() && d.findAndGetUint16(DCM_Columns, cols).good();
    for (int i = 0; ok && i < 3; ++i) ok = d.findAndGetFloat64(DCM_ImagePositionPatient, pos[i], i).good();
    for (int i = 0; ok && i < 6; ++i)
      ok = d.findAndGetFloat64(DCM_ImageOrientationPatient, orient[i], i).good();
    for (int i = 0; ok && i < 2; ++i) ok = d.findAndGetFloat64(DCM_PixelSpacing, spacing[i], i).good();
    const std::string sop = str(DCM_SOPInstanceUID);
    ok = ok && !sop.empty() && !str(DCM_StudyInstanceUID).empty() && !str(DCM_SeriesInstanceUID).empty();
    if (!ok) {
      return invalid(ErrorCode::dicom_missing_attribute,
                     "a source slice lacks UIDs, Rows/Columns, Image Position/Orientation or Pixel Spacing",
                     {{"file_index", n}});
    }
    const double axial[6] = {1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 6; ++i) {
      if (std::fabs(orient[i] - axial[i]) > 1e-4) {
        return invalid(ErrorCode::geometry_mismatch,
                       "only axial series (orientation 1\\0\\0\\0\\1\\0) are supported", {{"file_index", n}});
      }
    }
    if (n == 0) {
      s.study_instance_uid = str(DCM_StudyInstanceUID);
      s.series_instance_uid = str(DCM_SeriesInstanceUID);
      s.frame_of_reference_uid = str(DCM_FrameOfReferenceUID);
      s.sop_class_uid = str(DCM_SOPClassUID);
      s.modality = str(DCM_Modality);
      s.nx = cols;
      s.ny = rows;
      row_spacing = spacing[0];
      col_spacing = spacing[1];
      auto item = std::make_shared<DcmItem>();
      for (const auto& [g, e] : patient_study_tags()) {
        DcmElement* el = nullptr;
        if (d.findAndGetElement(DcmTagKey(g, e), el).good() && el)
          item->insert(static_cast<DcmElement*>(el->clone()));
      }
      s.patient_study = item;
    } else if (str(DCM_SeriesInstanceUID) != s.series_instance_uid || cols != s.nx || rows != s.ny ||
               std::fabs(spacing[0] - row_spacing) > 1e-4 || std::fabs(spacing[1] - col_spacing) > 1e-4) {
      return invalid(ErrorCode::geometry_mismatch,
                     "the source files are not one series with one image size and spacing",
                     {{"file_index", n}});
    }
    headers.push_back({sop, pos[0], pos[1], pos[2]});
  }
  std::sort(headers.begin(), headers.end(), [](const Header& a, const Header& b) { return a.z < b.z; });
  const double dz = headers.size() > 1 ? headers[1].z - headers[0].z : 1.0;
  for (std::size_t k = 0; k < headers.size(); ++k) {
    const Header& h = headers[k];
    const bool even =
        std::fabs(h.z - (headers[0].z + dz * static_cast<double>(k))) <= 1e-2 + 1e-3 * std::fabs(dz);
    if (dz <= 1e-6 || !even || std::fabs(h.x - headers[0].x) > 1e-3 || std::fabs(h.y - headers[0].y) > 1e-3) {
      return invalid(ErrorCode::geometry_mismatch,
                     "the source slices are not evenly spaced along z on one column", {{"slice_index", k}});
    }
    s.slices.push_back({h.sop_uid, {h.x, h.y, h.z}});
  }
  s.spacing = {col_spacing, row_spacing, dz};
  s.origin = {headers[0].x, headers[0].y, headers[0].z};
  return s;
}

}  // namespace medai::annotations

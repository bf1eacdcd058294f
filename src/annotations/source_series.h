#pragma once
// The source image series a result or label object refers to: its UIDs, the
// patient/study attributes a derived object copies, and the grid of the
// Volume built from it (slices[k] is the Volume's slice k, axial, LPS).
// Writers check their masks against this grid; readers rasterise onto it.
#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "imaging/volume.h"

class DcmItem;

namespace medai::annotations {

struct SourceSlice {
  std::string sop_instance_uid;
  imaging::Vec3 position;  // Image Position (Patient) of the slice, mm
};

struct SourceSeries {
  std::string study_instance_uid, series_instance_uid, frame_of_reference_uid;
  std::string sop_class_uid;  // of the slices (e.g. CT Image Storage)
  std::string modality = "CT";
  std::vector<SourceSlice> slices;
  // Grid (Volume convention): nx columns, ny rows, nz = slices.size().
  int nx = 0, ny = 0;
  std::array<double, 3> spacing{1, 1, 1};  // column, row, slice spacing in mm
  std::array<double, 3> origin{0, 0, 0};   // centre of voxel (0,0,0)
  // One source instance (or any item with its Patient, General Study and
  // Patient Study attributes); derived objects copy those attributes.
  std::shared_ptr<const DcmItem> patient_study;

  int nz() const { return static_cast<int>(slices.size()); }
  imaging::Volume<std::uint8_t> empty_mask() const;
};

// Reads the headers of one image series (no pixel data): single-frame,
// axial (orientation 1\0\0\0\1\0), same size and pixel spacing, evenly
// spaced slices; sorted inferior to superior. Refuses anything else with
// invalid_dicom / dicom_missing_attribute / geometry_mismatch.
Result<SourceSeries> source_series_from_files(const std::vector<std::filesystem::path>& files);

// ok when `mask` has the series' grid (size exactly, spacing/origin within 1e-3 mm).
Status check_same_grid(const SourceSeries& series, const imaging::Volume<std::uint8_t>& mask,
                       const char* what);

// Patient, General Study and Patient Study attributes (plus Specific
// Character Set) copied into derived objects.
const std::vector<std::pair<std::uint16_t, std::uint16_t>>& patient_study_tags();

}  // namespace medai::annotations

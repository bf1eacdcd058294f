#pragma once
// Effective slice thickness of a stored series, from the instances' own
// headers (read up to, not including, Pixel Data).
//
// No single header is trusted: SliceThickness is taken as the median over the
// instances, the slice spacing as the median distance between consecutive
// ImagePositionPatient values projected on the slice normal
// (ImageOrientationPatient). The effective thickness is the larger of the
// two (a 1 mm reconstruction every 5 mm is not a thin-slice series); when
// only one is known it is used; when neither is, the thickness is unknown
// and rules that need it do not match.
#include <filesystem>
#include <optional>
#include <vector>

#include "core/status.h"

namespace medai::jobs {

struct SliceGeometry {
  std::optional<double> header_thickness_mm;  // median SliceThickness
  std::optional<double> spacing_mm;           // median position spacing
  std::optional<double> effective_mm() const;
  int instances_read = 0;
};

// Geometry of the given instance files (unreadable files are skipped).
SliceGeometry slice_geometry(const std::vector<std::filesystem::path>& files);

}  // namespace medai::jobs

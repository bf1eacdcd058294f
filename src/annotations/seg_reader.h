#pragma once
// DICOM Segmentation reader for labels: SEG -> one binary mask per segment on
// the grid of the referenced image series.
//
// Each frame is placed on slice k of `geometry` by the Referenced SOP
// Instance UID of its Derivation Image source (if that instance is one of the
// series' slices), otherwise by its Image Position (Patient) (within 0.01 mm
// + 1% of the slice spacing in z, 0.01 mm in x/y). A SEG whose size, pixel
// spacing, orientation, frame of reference or frame positions do not match
// the series is refused with geometry_mismatch; one that is not a SEG with
// unsupported_sop_class; compressed pixel data with
// unsupported_transfer_syntax; anything malformed with invalid_dicom.
// BINARY and FRACTIONAL (thresholded at half the maximum) are read; at most
// 512 segments (each becomes a full mask), more is unprocessable.
#include <array>
#include <string>
#include <vector>

#include "annotations/codes.h"
#include "annotations/source_series.h"
#include "imaging/volume.h"

namespace medai::annotations {

struct SegSegmentInfo {
  int number = 0;  // Segment Number
  std::string label, description;
  Code category, type;
  std::string algorithm_type, algorithm_name;
  std::string tracking_id, tracking_uid;
  std::array<int, 3> rgb{0, 0, 0};  // from Recommended Display CIELab Value, if any
};

struct SegLabels {
  std::string sop_instance_uid, series_instance_uid;
  std::vector<SegSegmentInfo> segments;
  std::vector<imaging::Volume<std::uint8_t>> masks;       // masks[i] (0/1) belongs to segments[i]
  std::size_t frames_by_uid = 0, frames_by_position = 0;  // how frames were matched
};

Result<SegLabels> read_seg(const std::string& bytes, const SourceSeries& geometry);

}  // namespace medai::annotations

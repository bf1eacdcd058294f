#pragma once
// RT Structure Set reader for labels.
//
// parse_rtstruct: the ROIs (number, name, interpreted type, colour, code)
// and their contours in patient coordinates; reads any RT Structure Set
// (Part 10 or bare data set), refusing other objects (unsupported_sop_class)
// and malformed ones (invalid_dicom) without crashing.
// rasterise_rtstruct: CLOSED_PLANAR contours -> one mask per ROI on the grid
// of the referenced series, by even-odd filling at pixel centres of all the
// ROI's loops on a slice (so holes drawn as inner loops stay holes). A
// contour is put on its slice by its Contour Image Sequence reference when
// that instance is in the series, otherwise by its z (within 0.01 mm + 1% of
// the slice spacing). POINT and OPEN_* contours are counted, not filled.
// Contours off every slice, or an ROI on another frame of reference, are
// refused with geometry_mismatch.
#include <array>
#include <string>
#include <vector>

#include "annotations/codes.h"
#include "annotations/source_series.h"
#include "imaging/volume.h"

namespace medai::annotations {

struct RtContour {
  std::string geometric_type;               // CLOSED_PLANAR, POINT, OPEN_PLANAR, OPEN_NONPLANAR
  std::string referenced_sop_instance_uid;  // first Contour Image Sequence item, may be empty
  std::vector<imaging::Vec3> points;        // patient coordinates, mm
};

struct RtRoi {
  int number = 0;
  std::string name, interpreted_type, generation_algorithm, frame_of_reference_uid;
  std::array<int, 3> rgb{0, 0, 0};
  Code code;  // RT ROI Identification Code, if any
  std::vector<RtContour> contours;
};

struct RtStructContents {
  std::string sop_instance_uid, series_instance_uid, study_instance_uid;
  std::string structure_set_label;
  std::vector<RtRoi> rois;  // in Structure Set ROI Sequence order
};

Result<RtStructContents> parse_rtstruct(const std::string& bytes);

struct RtMasks {
  std::vector<imaging::Volume<std::uint8_t>> masks;  // masks[i] (0/1) belongs to contents.rois[i]
  std::size_t contours_filled = 0, contours_not_closed = 0;
};

Result<RtMasks> rasterise_rtstruct(const RtStructContents& contents, const SourceSeries& geometry);

}  // namespace medai::annotations

#pragma once
// RT Structure Set writer: structure masks on a CT's grid -> one ROI per
// structure with closed planar contours per slice in patient coordinates.
//
// Structure Set module with Referenced Frame of Reference -> RT Referenced
// Study -> RT Referenced Series -> Contour Image Sequence (every slice of the
// source series); ROI Contour (colour, one CLOSED_PLANAR contour per loop of
// imaging::trace_contours on each slice, at the slice's z, each referencing
// its slice); RT ROI Observations (RT ROI Interpreted Type, optional RT ROI
// Identification Code). Contour points lie on pixel-edge midpoints, so the
// polygons are simple (no self-intersections) and rasterising them back with
// the even-odd rule at pixel centres gives the mask. Holes are separate
// loops (even-odd semantics, as treatment planning systems read them).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "annotations/codes.h"
#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/source_series.h"
#include "imaging/volume.h"

namespace medai::annotations {

struct RoiSpec {
  std::uint8_t label = 1;  // voxels equal to this value (when `bits` is 0)
  std::uint8_t bits = 0;   // if non-zero: voxels with any of these bits set (overlapping structures)
  std::string name;        // ROI Name, TG-263 (e.g. "GTV", "Lung_L", "SpinalCord")
  std::string interpreted_type = "ORGAN";  // EXTERNAL, ORGAN, GTV, CTV, PTV, AVOIDANCE, ...
  std::array<int, 3> rgb{255, 0, 0};       // ROI Display Color
  Code code;                               // optional RT ROI Identification Code (SCT)
};

struct RtStructOptions {
  std::string label = "AUTO";  // Structure Set Label (SH)
  std::string name;            // Structure Set Name; defaults to the app name
};

struct RtStructWritten {
  DicomObject object;
  std::vector<int> contours_per_roi;  // same order as the RoiSpecs
};

// `structures` must have the source series' grid. ROIs without voxels are
// written without contours (the ROI exists, it is empty).
Result<RtStructWritten> write_rtstruct(const imaging::Volume<std::uint8_t>& structures,
                                       const std::vector<RoiSpec>& rois, const SourceSeries& source,
                                       const Producer& producer, const OutputSeries& output,
                                       const RtStructOptions& options = {});

}  // namespace medai::annotations

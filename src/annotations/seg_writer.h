#pragma once
// Binary DICOM Segmentation writer for app results and ground truth.
//
// One segment per SegmentSpec (segment numbers 1..n in order), each with its
// label, SNOMED CT category/type, AUTOMATIC algorithm identification (the
// producer's app name and version), colour and optional tracking ID/UID.
// Frames are written only where a segment has voxels: one frame per
// (segment, slice), with Plane Position, Frame Content (dimension index:
// segment number, slice) and Derivation Image (the source instance of the
// slice) per frame; pixel measures and orientation shared. The Common
// Instance Reference module lists the source instances used (dciodvfy needs
// it). Patient/study attributes come from the source; the SEG is a new series
// in the source study on its frame of reference.
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

struct SegmentSpec {
  std::uint8_t label = 1;  // voxels equal to this value (when `bits` is 0)
  std::uint8_t bits = 0;   // if non-zero: voxels with any of these bits set (overlapping structures)
  std::string name;        // Segment Label
  std::string description;
  Code category = codes::kMorphAbnormal;  // CID 7150
  Code type = codes::kNodule;             // CID 7151
  std::array<int, 3> rgb{255, 0, 0};      // recommended display colour (stored as CIELab)
  std::string tracking_id;                // e.g. the finding id; a Tracking UID is derived from it
};

struct SegOptions {
  std::string content_label = "RESULT";  // CS, upper case
  std::string content_description;       // defaults to "<app> <version>"
  std::string content_creator;           // PN of a person (e.g. "SMITH^JANE"); empty for apps
};

// `labels` must have the source series' grid (check_same_grid). At least one
// segment must have a voxel (a SEG without frames is not valid): otherwise
// unprocessable.
Result<DicomObject> write_seg(const imaging::Volume<std::uint8_t>& labels,
                              const std::vector<SegmentSpec>& segments, const SourceSeries& source,
                              const Producer& producer, const OutputSeries& output,
                              const SegOptions& options = {});

}  // namespace medai::annotations

#pragma once
// Auto-contouring results from a label map on the source CT's grid: one ROI
// per structure (TG-263 name, RT ROI Interpreted Type, colour, SNOMED code)
// in an RTSTRUCT that references the CT (Frame of Reference, Referenced
// Study/Series/every slice), closed planar contours per slice (pixel-edge
// polygons: no self-intersections), a SEG with one segment per structure, and
// one JSON finding per structure (volume, slice range, contour count, object
// references). Structures without voxels are still listed (empty ROI, volume
// 0, "empty": true) so a planner sees what the app looked for.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/result_json.h"
#include "annotations/source_series.h"
#include "apps/rt/rt_structures.h"
#include "core/status.h"
#include "imaging/volume.h"

namespace medai::apps::rt {

struct StructureResultOptions {
  bool write_rtstruct = true, write_seg = true;
  annotations::OutputSeries rtstruct_series, seg_series;
  std::string notice;  // e.g. "research use only - trained on synthetic data"; into the JSON exam block
};

struct StructureResults {
  std::vector<annotations::ResultFinding> findings;  // one per structure, writing order
  std::vector<annotations::DicomObject> objects;     // RTSTRUCT, then SEG (as requested)
  std::vector<annotations::ResultObject> object_entries;
  nlohmann::json exam;  // {"structures": [...names], "empty_structures": [...], "notice"}
};

// `labels` must be on `source`'s grid (geometry_mismatch otherwise). The
// body outline (EXTERNAL) is every labelled voxel; the other structures their
// own value (so External contains them, as in a plan).
Result<StructureResults> build_structure_results(const imaging::Volume<std::uint8_t>& labels,
                                                 const std::vector<OutputStructure>& structures,
                                                 const annotations::SourceSeries& source,
                                                 const annotations::Producer& producer,
                                                 const StructureResultOptions& options);

}  // namespace medai::apps::rt

#pragma once
// Radiotherapy structures an auto-contouring app writes: TG-263 names with
// their RT ROI Interpreted Type, display colour and SNOMED CT codes (SEG
// category/type, RTSTRUCT RT ROI Identification Code), and the mapping from a
// model's label values to those structures.
//
// Label maps: value v (1..N) = the model's output label v. The body outline
// ("External") contains every other structure, so its mask is every labelled
// voxel (value != 0), while an organ or target is its own value only.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "annotations/codes.h"
#include "core/status.h"
#include "imaging/volume.h"

namespace medai::apps::rt {

struct StructureInfo {
  std::string name;              // TG-263 (case as in TG-263, e.g. "Lung_L")
  std::string interpreted_type;  // RTROIInterpretedType: EXTERNAL, ORGAN, GTV, CTV, PTV, AVOIDANCE
  std::array<int, 3> rgb{255, 255, 255};
  annotations::Code category;    // SEG Segmented Property Category (CID 7150)
  annotations::Code type;        // SEG Segmented Property Type / RT ROI Identification Code
  std::string description;       // e.g. "Gross tumour volume"
};

// The thorax structures this project knows, in writing order (External,
// Lung_L, Lung_R, SpinalCord, Heart, GTV); nullopt for another name.
const std::vector<StructureInfo>& thorax_structures();
std::optional<StructureInfo> structure_info(const std::string& name);

// One structure of a model's output: its label value and what to write.
struct OutputStructure {
  int label = 0;  // value in the model's label map
  StructureInfo info;
  bool is_external() const { return info.interpreted_type == "EXTERNAL"; }
};

// The manifest's output labels ([{"value", "name", optional "interpreted_type",
// "rgb" [r,g,b]}]) → structures in the project's writing order (known names
// first, in thorax_structures() order; unknown names after, as ORGAN with a
// neutral colour). invalid_argument for a label without a value in 1..255 or
// a name, or a name given twice.
Result<std::vector<OutputStructure>> output_structures(const nlohmann::json& labels);

// Mask (0/1) of one structure on the label map's grid (External: any label).
imaging::Volume<std::uint8_t> structure_mask(const imaging::Volume<std::uint8_t>& labels,
                                             const OutputStructure& s);

}  // namespace medai::apps::rt

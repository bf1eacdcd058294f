#include "apps/rt/rt_structures.h"

#include <algorithm>
#include <set>

namespace medai::apps::rt {
namespace codes = annotations::codes;

const std::vector<StructureInfo>& thorax_structures() {
  // Colours: the generator's ground truth (src/synth/rt_phantom.cc), so
  // predicted and reference contours look alike in a viewer.
  static const std::vector<StructureInfo> table = {
      {"External", "EXTERNAL", {0, 200, 0}, codes::kAnatomicalStructure, codes::kBody, "Body outline"},
      {"Lung_L", "ORGAN", {0, 160, 255}, codes::kAnatomicalStructure, codes::kLeftLung, "Left lung"},
      {"Lung_R", "ORGAN", {255, 160, 0}, codes::kAnatomicalStructure, codes::kRightLung, "Right lung"},
      {"SpinalCord", "ORGAN", {255, 255, 0}, codes::kAnatomicalStructure, codes::kSpinalCord, "Spinal cord"},
      {"Heart", "ORGAN", {255, 0, 160}, codes::kAnatomicalStructure, codes::kHeart, "Heart"},
      {"GTV", "GTV", {255, 0, 0}, codes::kMorphAbnormal, codes::kNeoplasm, "Gross tumour volume"},
  };
  return table;
}

std::optional<StructureInfo> structure_info(const std::string& name) {
  for (const auto& s : thorax_structures())
    if (s.name == name) return s;
  return std::nullopt;
}

Result<std::vector<OutputStructure>> output_structures(const nlohmann::json& labels) {
  if (!labels.is_array() || labels.empty() || labels.size() > 255)
    return make_error(ErrorCode::invalid_argument, "the app's output needs 1 to 255 labels", {{"field", "output.labels"}});
  std::vector<OutputStructure> out;
  std::set<std::string> names;
  std::set<int> values;
  for (const auto& l : labels) {
    if (!l.is_object() || !l.contains("value") || !l["value"].is_number_integer() || !l.contains("name") ||
        !l["name"].is_string() || l["name"].get<std::string>().empty())
      return make_error(ErrorCode::invalid_argument, "every output label needs an integer value and a name",
                        {{"field", "output.labels"}});
    const int value = l["value"].get<int>();
    const std::string name = l["name"].get<std::string>();
    if (value < 1 || value > 255 || !values.insert(value).second || !names.insert(name).second)
      return make_error(ErrorCode::invalid_argument, "output label values must be unique in 1..255, names unique",
                        {{"field", "output.labels"}, {"value", value}});
    OutputStructure s;
    s.label = value;
    s.info = structure_info(name).value_or(StructureInfo{name, "ORGAN", {128, 128, 255}, codes::kAnatomicalStructure,
                                                          codes::kAnatomicalStructure, name});
    if (l.contains("interpreted_type") && l["interpreted_type"].is_string())
      s.info.interpreted_type = l["interpreted_type"].get<std::string>();
    if (l.contains("rgb") && l["rgb"].is_array() && l["rgb"].size() == 3)
      for (int c = 0; c < 3; ++c) s.info.rgb[c] = std::clamp(l["rgb"][c].get<int>(), 0, 255);
    out.push_back(std::move(s));
  }
  const auto& table = thorax_structures();
  auto rank = [&](const OutputStructure& s) {
    for (std::size_t i = 0; i < table.size(); ++i)
      if (table[i].name == s.info.name) return static_cast<int>(i);
    return static_cast<int>(table.size());
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  return out;
}

imaging::Volume<std::uint8_t> structure_mask(const imaging::Volume<std::uint8_t>& labels, const OutputStructure& s) {
  auto m = labels.like<std::uint8_t>();
  const bool any = s.is_external();
  const auto value = static_cast<std::uint8_t>(s.label);
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    m.data[i] = any ? labels.data[i] != 0 : labels.data[i] == value;
  return m;
}

}  // namespace medai::apps::rt

#pragma once
// Lung-RADS v2022 (American College of Radiology), baseline screening
// categories from nodule size and type. Source: ACR Lung-RADS v2022
// assessment categories table (released November 2022), rows for solid,
// part-solid and non-solid (ground-glass) nodules at the *baseline* screen:
//
//   category  solid                   part-solid                               non-solid
//   2         < 6 mm                  < 6 mm total                             < 30 mm
//   3         >= 6 to < 8 mm          >= 6 mm total, solid component < 6 mm   >= 30 mm
//   4A        >= 8 to < 15 mm         solid component >= 6 to < 8 mm           -
//   4B        >= 15 mm                solid component >= 8 mm                  -
//
// Sizes are mean diameters ((long axis + perpendicular short axis) / 2 on the
// same axial slice), rounded to one decimal place (v2022), so 5.96 mm counts
// as 6.0 mm. Exam category = the highest nodule category; no nodule = 1.
// Not derived here (need a radiologist or prior exams): category 0
// (incomplete), 4X (additional suspicious features such as spiculation),
// the S and C modifiers, benign calcification (1), perifissural/juxtapleural
// solid nodules < 10 mm (2), follow-up (interval) rules.
#include <optional>
#include <string>
#include <vector>

namespace medai::apps::lung {

enum class NoduleType { solid, part_solid, ground_glass };
std::string to_string(NoduleType type);  // "solid", "part_solid", "ground_glass"
std::optional<NoduleType> nodule_type_from_string(const std::string& s);

enum class LungRads { c1, c2, c3, c4A, c4B };
std::string to_string(LungRads category);  // "1", "2", "3", "4A", "4B"
// The ACR management recommendation of a baseline category (short text).
std::string management_of(LungRads category);
// 1 < 2 < 3 < 4A < 4B.
inline bool more_suspicious(LungRads a, LungRads b) { return static_cast<int>(a) > static_cast<int>(b); }

// Mean diameter rounded to one decimal place, as Lung-RADS v2022 measures.
double lung_rads_mean_diameter(double long_axis_mm, double short_axis_mm);

struct LungRadsNodule {
  NoduleType type = NoduleType::solid;
  double mean_diameter_mm = 0;        // whole nodule (rounded to 0.1 mm by the caller or not: rounded here)
  double solid_mean_diameter_mm = 0;  // part-solid: the solid component's mean diameter
};

LungRads lung_rads_category(const LungRadsNodule& nodule);
LungRads lung_rads_exam_category(const std::vector<LungRadsNodule>& nodules);

}  // namespace medai::apps::lung

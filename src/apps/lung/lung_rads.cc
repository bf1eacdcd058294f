#include "apps/lung/lung_rads.h"

#include <cmath>

namespace medai::apps::lung {

std::string to_string(NoduleType type) {
  switch (type) {
    case NoduleType::solid: return "solid";
    case NoduleType::part_solid: return "part_solid";
    case NoduleType::ground_glass: return "ground_glass";
  }
  return "solid";
}

std::optional<NoduleType> nodule_type_from_string(const std::string& s) {
  if (s == "solid") return NoduleType::solid;
  if (s == "part_solid" || s == "part-solid") return NoduleType::part_solid;
  if (s == "ground_glass" || s == "ground-glass" || s == "non_solid" || s == "non-solid")
    return NoduleType::ground_glass;
  return std::nullopt;
}

std::string to_string(LungRads category) {
  switch (category) {
    case LungRads::c1: return "1";
    case LungRads::c2: return "2";
    case LungRads::c3: return "3";
    case LungRads::c4A: return "4A";
    case LungRads::c4B: return "4B";
  }
  return "1";
}

std::string management_of(LungRads category) {
  switch (category) {
    case LungRads::c1:
    case LungRads::c2: return "continue annual screening with LDCT in 12 months";
    case LungRads::c3: return "LDCT in 6 months";
    case LungRads::c4A: return "LDCT in 3 months; PET/CT may be considered if there is a solid component >= 8 mm";
    case LungRads::c4B: return "diagnostic chest CT with or without contrast; PET/CT and/or tissue sampling";
  }
  return "";
}

double lung_rads_mean_diameter(double long_axis_mm, double short_axis_mm) {
  return std::round((long_axis_mm + short_axis_mm) * 5.0) / 10.0;  // ((a + b) / 2) to 0.1 mm
}

namespace {
double tenth(double mm) { return std::round(mm * 10.0) / 10.0; }
}  // namespace

LungRads lung_rads_category(const LungRadsNodule& n) {
  const double d = tenth(n.mean_diameter_mm);
  switch (n.type) {
    case NoduleType::solid:
      if (d < 6.0) return LungRads::c2;
      if (d < 8.0) return LungRads::c3;
      if (d < 15.0) return LungRads::c4A;
      return LungRads::c4B;
    case NoduleType::part_solid: {
      if (d < 6.0) return LungRads::c2;
      const double s = tenth(n.solid_mean_diameter_mm);
      if (s < 6.0) return LungRads::c3;
      if (s < 8.0) return LungRads::c4A;
      return LungRads::c4B;
    }
    case NoduleType::ground_glass:
      return d < 30.0 ? LungRads::c2 : LungRads::c3;
  }
  return LungRads::c2;
}

LungRads lung_rads_exam_category(const std::vector<LungRadsNodule>& nodules) {
  LungRads worst = LungRads::c1;
  for (const auto& n : nodules) {
    const LungRads c = lung_rads_category(n);
    if (more_suspicious(c, worst)) worst = c;
  }
  return worst;
}

}  // namespace medai::apps::lung

#include "apps/lung/malignancy.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace medai::apps::lung {

double brock_probability(const BrockInputs& in) {
  const double age = in.age_years.value_or(62);
  const double d = std::clamp(in.diameter_mm, 1.0, 100.0);  // the size term diverges at 0
  double logit = -6.7892 + 0.0287 * (age - 62) + (in.female.value_or(false) ? 0.6011 : 0.0);
  if (in.family_history) logit += 0.2961;
  if (in.emphysema) logit += 0.2953;
  logit += -5.3854 * (std::pow(d / 10.0, -0.5) - 1.58113883);
  if (in.type == NoduleType::ground_glass) logit += -0.1276;
  if (in.type == NoduleType::part_solid) logit += 0.377;
  if (in.upper_lobe) logit += 0.6581;
  logit += -0.0824 * (std::max(1, in.nodule_count) - 4);
  if (in.spiculated) logit += 0.7729;
  return 1.0 / (1.0 + std::exp(-logit));
}

std::optional<int> age_from_dicom(const std::string& as) {
  if (as.size() != 4 || as[3] != 'Y') return std::nullopt;
  int years = 0;
  for (int i = 0; i < 3; ++i) {
    if (as[i] < '0' || as[i] > '9') return std::nullopt;
    years = years * 10 + (as[i] - '0');
  }
  return years;
}

}  // namespace medai::apps::lung

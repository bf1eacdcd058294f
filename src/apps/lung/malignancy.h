#pragma once
// Malignancy score of a nodule: the Brock University (PanCan) full logistic
// model with spiculation, McWilliams et al., "Probability of cancer in
// pulmonary nodules detected on first screening CT", NEJM 2013;369:910-9
// (model 2b). Inputs the app can measure or read from the DICOM header:
//   age (Patient's Age; unknown -> 62, the model's centring value),
//   sex (Patient's Sex; unknown -> male, the reference level),
//   nodule size = the measured longest axial diameter (mm),
//   type (solid / part-solid / non-solid), upper lobe (from the position),
//   nodule count in the scan.
// Not known to the app, set to absent: family history of lung cancer,
// emphysema, spiculation (no margin classifier). The score is the model's
// probability, a research estimate — not a diagnosis.
#include <optional>

#include "apps/lung/lung_rads.h"

namespace medai::apps::lung {

struct BrockInputs {
  std::optional<int> age_years;
  std::optional<bool> female;
  double diameter_mm = 0;
  NoduleType type = NoduleType::solid;
  bool upper_lobe = false;
  int nodule_count = 1;
  bool spiculated = false;
  bool family_history = false;
  bool emphysema = false;
};

double brock_probability(const BrockInputs& in);

// "062Y" / "45M" ... -> years (DICOM AS value); nullopt if not an age in years.
std::optional<int> age_from_dicom(const std::string& as);

}  // namespace medai::apps::lung

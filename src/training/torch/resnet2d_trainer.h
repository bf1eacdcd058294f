#pragma once
#include <memory>
#include <string>
#include <vector>

#include "training/trainer.h"

namespace medai::training::torch_nets {

// Classification of projection images (MG): every image of an item's series
// is a sample with the item's label (positive = hyper positive_label, else
// "malignant"/"positive"/"abnormal"/"cancer"/"1"/"true"/"yes" when present,
// else the last of two labels in name order). An item's score is the
// highest of its images' scores (an exam is as suspicious as its worst
// view). Validation metric: ROC AUC over items.
// A label may name the side of its finding, "malignant:R" (what `medai synth
// mammo --dataset` writes): then only the item's images whose Image
// Laterality is that side carry the class, the other breast's views are
// negatives (a 4-view exam is one series, so the exam label alone would
// teach the model that a normal breast is malignant).
std::unique_ptr<Trainer> make_resnet2d_trainer();

struct SidedLabel {
  std::string name;  // the class, e.g. "malignant"
  std::string side;  // "L", "R" or "" (the whole item)
};
// "malignant:R" -> {malignant, R}; anything else -> {label, ""}.
SidedLabel split_sided_label(const std::string& label);

// ROC AUC (Mann–Whitney, ties count one half); 0.5 when a class is missing.
double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels);

}  // namespace medai::training::torch_nets

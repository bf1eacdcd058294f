#pragma once
#include <memory>

#include "training/trainer.h"

namespace medai::training::torch_nets {

// Classification of projection images (MG): every image of an item's series
// is a sample with the item's label (positive = hyper positive_label, else
// "malignant"/"positive"/"abnormal"/"cancer"/"1"/"true"/"yes" when present,
// else the last of two labels in name order). An item's score is the
// highest of its images' scores (an exam is as suspicious as its worst
// view). Validation metric: ROC AUC over items.
std::unique_ptr<Trainer> make_resnet2d_trainer();

// ROC AUC (Mann–Whitney, ties count one half); 0.5 when a class is missing.
double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels);

}  // namespace medai::training::torch_nets

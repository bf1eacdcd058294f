#pragma once
// Gradient-boosted trees for tabular datasets (architecture "xgboost"),
// through the XGBoost 1.7 C API (only xgboost_trainer.cc includes it):
//   - task "classification" with 2 label values: binary:logistic; the
//     positive value is `positive_label`, or else 1/yes/pos/positive/true/
//     malignant when present, or else the last in sort order; the model
//     gives P(positive).
//   - task "classification" with 3-100 label values: multi:softprob, one
//     probability per label value in sort order; every value needs train rows.
//   - task "regression": reg:squarederror on a numeric label column.
//
// Data: every column except the label and `exclude_columns` is a numeric
// feature ("", NA, NaN, ? are missing and handled natively by the trees).
// Splits: trains on "train", early-stops on "validation" (when the dataset
// has none, `validation_fraction` of train is carved out, stratified by
// class and seeded), and reports both validation and test metrics with
// src/evaluation (classification, multiclass or regression block). One
// round = one progress record (epoch).
//
// Resume: a run is cheap (seconds), so an interrupted job trains again from
// round 0; the same seed gives the same model, so the result is the same.
//
// Hyper-parameters (all optional; see docs/training.md for ranges):
//   rounds | n_estimators, max_depth, eta | learning_rate, subsample,
//   colsample | colsample_bytree, min_child_weight, lambda | reg_lambda,
//   alpha | reg_alpha, gamma, early_stopping_rounds, early_stopping_metric
//   (auto | logloss | auc for classification, auto | rmse | mae for
//   regression), scale_pos_weight (number or "auto" = negatives/positives;
//   two classes only), tree_method, seed, validation_fraction,
//   positive_label (two classes only), exclude_columns, bootstrap_resamples.
#include <memory>

#include "training/trainer.h"

namespace medai::training {

inline constexpr const char* kXGBoostArchitecture = "xgboost";

std::unique_ptr<Trainer> make_xgboost_trainer();
void register_xgboost_trainer(TrainerRegistry& registry);

}  // namespace medai::training

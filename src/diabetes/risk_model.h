#pragma once
// Diabetes risk for undiagnosed patients from a gradient-boosted model run
// through the platform's runtime ("xgboost"). The features are the Pima
// Indians Diabetes columns (R MASS Pima.tr): npreg, glu (2-h OGTT plasma
// glucose, mg/dL), bp (diastolic, mm Hg), skin (triceps skinfold, mm), bmi,
// ped (diabetes pedigree function), age. The model's column order is the
// app manifest's input.features order; a feature the record lacks is NaN
// (XGBoost's missing value), never an invented default.
//
// The explanation is XGBoost's exact tree SHAP (pred_contribs): one
// contribution per feature in log-odds, plus the bias; they sum to the
// margin, so "what drove this score" is exact for this model, not a proxy.
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "diabetes/patient_record.h"
#include "runtime/model_runtime.h"

namespace medai::diabetes {

struct FeatureContribution {
  std::string feature;
  std::optional<double> value;  // as fed to the model (Pima units); nullopt = missing
  double contribution = 0;      // log-odds
};

struct RiskResult {
  double probability = 0;
  double margin = 0;  // log-odds = bias + Σ contributions
  double bias = 0;
  std::vector<FeatureContribution> contributions;  // model column order
};

class RiskModel {
 public:
  // The Pima column names this app understands.
  static const std::vector<std::string>& supported_features();
  // invalid_argument when a name is not supported or repeated.
  static Result<RiskModel> create(std::vector<std::string> feature_names);

  const std::vector<std::string>& features() const { return features_; }
  std::vector<float> feature_row(const PatientRecord& record) const;
  Result<RiskResult> predict(runtime::ModelRuntime& model, const PatientRecord& record) const;

 private:
  std::vector<std::string> features_;
};

}  // namespace medai::diabetes

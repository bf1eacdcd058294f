#include "diabetes/risk_model.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "diabetes/units.h"

namespace medai::diabetes {
namespace {

std::optional<double> pima_value(const std::string& feature, const PatientRecord& r) {
  if (feature == "npreg") return r.pregnancies;
  if (feature == "glu") {
    if (!r.ogtt_2h_glucose_mmol_l) return std::nullopt;
    return glucose_mg_dl(*r.ogtt_2h_glucose_mmol_l);  // Pima records mg/dL
  }
  if (feature == "bp") return r.dbp;
  if (feature == "skin") return r.triceps_skinfold_mm;
  if (feature == "bmi") return r.bmi;
  if (feature == "ped") return r.diabetes_pedigree;
  if (feature == "age") return r.age_years;
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& RiskModel::supported_features() {
  static const std::vector<std::string> names = {"npreg", "glu", "bp", "skin", "bmi", "ped", "age"};
  return names;
}

Result<RiskModel> RiskModel::create(std::vector<std::string> feature_names) {
  std::set<std::string> seen;
  if (feature_names.empty()) return make_error(ErrorCode::invalid_argument, "the risk model declares no features");
  for (const auto& name : feature_names) {
    const auto& known = supported_features();
    if (std::find(known.begin(), known.end(), name) == known.end())
      return make_error(ErrorCode::invalid_argument, "risk model feature '" + name.substr(0, 64) + "' is not supported",
                        {{"supported", known}});
    if (!seen.insert(name).second)
      return make_error(ErrorCode::invalid_argument, "risk model feature '" + name + "' is listed twice");
  }
  RiskModel model;
  model.features_ = std::move(feature_names);
  return model;
}

std::vector<float> RiskModel::feature_row(const PatientRecord& record) const {
  std::vector<float> row;
  for (const auto& f : features_) {
    const auto v = pima_value(f, record);
    row.push_back(v ? static_cast<float>(*v) : NAN);
  }
  return row;
}

Result<RiskResult> RiskModel::predict(runtime::ModelRuntime& model, const PatientRecord& record) const {
  const auto row = feature_row(record);
  const auto n = static_cast<std::int64_t>(row.size());
  MEDAI_ASSIGN_OR_RETURN(auto outputs, model.infer({runtime::make_f32("features", {1, n}, row),
                                                    runtime::make_f32("pred_contribs", {1}, {1.0f})}));
  const runtime::Tensor* predictions = nullptr;
  const runtime::Tensor* contributions = nullptr;
  for (const auto& t : outputs) {
    if (t.name == "predictions") predictions = &t;
    if (t.name == "contributions") contributions = &t;
  }
  if (!predictions || predictions->f32.size() != 1 || !contributions ||
      contributions->f32.size() != static_cast<std::size_t>(n + 1))
    return make_error(ErrorCode::inference_failed,
                      "the risk model must be a binary classifier over the " + std::to_string(n) +
                          " declared features (one probability and n+1 contributions per row)");
  RiskResult result;
  result.probability = predictions->f32[0];
  result.bias = contributions->f32[static_cast<std::size_t>(n)];
  result.margin = result.bias;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto idx = static_cast<std::size_t>(i);
    FeatureContribution c{features_[idx], std::nullopt, contributions->f32[idx]};
    if (!std::isnan(row[idx])) c.value = row[idx];
    result.margin += c.contribution;
    result.contributions.push_back(std::move(c));
  }
  if (!std::isfinite(result.probability) || result.probability < 0 || result.probability > 1)
    return make_error(ErrorCode::inference_failed, "the risk model's output is not a probability");
  return result;
}

}  // namespace medai::diabetes

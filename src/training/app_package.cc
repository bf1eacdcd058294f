#include "training/app_package.h"

#include <fstream>
#include <set>

#include "evaluation/report_html.h"
#include "packages/package_builder.h"

namespace medai::training {
namespace {

using nlohmann::json;

// The headline numbers of every split in the report (AUC, accuracy, MAE,
// ...) as manifest validation metrics, each with its 95% CI when the report
// has one ("<name>_ci").
json validation_metrics(const json& report) {
  static const std::set<std::string> kNotMetrics = {"cases", "positives", "negatives", "observed_mean", "observed_sd"};
  json metrics = json::array();
  if (!report.contains("splits") || !report["splits"].is_object()) return metrics;
  for (const auto& [split, m] : report["splits"].items()) {
    if (!m.is_object()) continue;
    for (const auto& [name, value] : m.items()) {
      if (!value.is_number() || kNotMetrics.count(name)) continue;
      json metric = {{"name", name == "auc" ? "roc_auc" : name}, {"value", value}, {"split", split}};
      if (const auto ci = m.find(name + "_ci"); ci != m.end() && ci->is_object())
        metric["ci95"] = {ci->value("lower", 0.0), ci->value("upper", 0.0)};
      metrics.push_back(std::move(metric));
    }
  }
  return metrics;
}

}  // namespace

json app_manifest_for(const TrainedModel& model, const AppPackageRequest& r) {
  const json& fragment = model.manifest_fragment;
  const json input = fragment.value("input", json::object());
  const bool tabular = input.value("kind", "") == "tabular";
  const json& run = model.run;
  const json dataset = model.report.value("dataset", json::object());
  const std::string dataset_text =
      dataset.value("name", run.value("dataset_id", "")) + " v" + std::to_string(run.value("dataset_version", 0));
  std::int64_t cases = 0;
  if (model.report.contains("data"))
    cases = model.report["data"].value("train_rows", std::int64_t{0}) + model.report["data"].value("validation_rows", std::int64_t{0});
  const std::string extension = model.runtime == "xgboost" ? "json" : "pt";
  json m = {{"schema_version", 1},
            {"name", r.name},
            {"vendor", r.vendor},
            {"version", r.version},
            {"display_name", r.display_name.empty() ? r.name : r.display_name},
            {"task", fragment.value("task", tabular ? std::string("tabular-advice") : run.value("task", ""))},
            {"modality", fragment.value("modality", json::array())},
            {"body_part", fragment.value("body_part", json::array())},
            {"intended_use",
             r.intended_use.empty()
                 ? "Research use only. " + run.value("architecture", std::string()) + " model trained on the medai "
                       "platform (training job " + model.job_id + ") on dataset " + dataset_text +
                       "; not validated for clinical decisions."
                 : r.intended_use},
            {"contraindications", json::array({"Not validated for clinical use; research use only."})},
            {"research_use_only", true},
            {"synthetic_training_data", r.synthetic_training_data},
            {"training_data", {{"summary", "Training job " + model.job_id + ": " + run.value("architecture", "") +
                                               " on " + dataset_text + ", seed " + std::to_string(run.value("seed", 0)) +
                                               " (train/validation splits of the frozen version)."},
                               {"dataset", dataset_text.substr(0, 200)},
                               {"cases", cases}}},
            {"validation", {{"metrics", validation_metrics(model.report)}, {"report", kReportFile}}},
            {"licence", r.licence},
            {"model", {{"runtime", model.runtime}, {"artifact", "model/model." + extension}}},
            {"input", input},
            {"output", fragment.value("output", json::object())},
            {"pipeline", fragment.value("pipeline", json::object())},
            {"writers", fragment.value("writers", json::array({"json"}))},
            {"files", json::object()}};
  return m;
}

Result<std::string> build_app_package(const TrainedModel& model, const AppPackageRequest& request,
                                      const std::filesystem::path& scratch) {
  std::error_code ec;
  std::filesystem::create_directories(scratch / "model", ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create the package folder");
  const json manifest = app_manifest_for(model, request);
  const std::string artifact = manifest["model"]["artifact"];
  std::filesystem::copy_file(model.model_file, scratch / artifact, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot copy the model into the package");
  // The training job's evaluation report travels with the model: JSON (signed
  // with the package) and its self-contained page beside it.
  std::filesystem::create_directories(scratch / "report", ec);
  for (const auto& [path, text] : {std::pair<std::string, std::string>{kReportFile, model.report.dump(2)},
                                   {kReportPage, evaluation::render_report_html(model.report)},
                                   {"manifest.json", manifest.dump(2)}}) {
    std::ofstream out(scratch / path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return make_error(ErrorCode::io_error, "cannot write " + path + " into the package");
  }
  return packages::pack_directory(scratch);
}

}  // namespace medai::training

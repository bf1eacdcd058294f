// medai evaluate: score a training job's model or an app version on a split
// of a dataset (POST /api/v1/evaluations) and print the headline metrics;
// --json for the whole evaluation, --html-out for the report page. Imaging
// evaluations run as a job on the server: the command follows it with a
// progress bar (exit 2 when it fails, 3 when cancelled); --no-follow prints
// the queued evaluation and returns.
// With --package and --studies: offline evaluation of an imaging app package
// on labelled study folders (evaluate_package.h), no server involved.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/evaluate_package.h"
#include "cli/job_follow.h"

namespace medai::cli {

void add_evaluate_command(CLI::App& app) {
  struct Flags {
    ServerFlags server;
    std::string job, app_name, app_version, dataset, split = "test", html_out;
    std::int64_t dataset_version = 0;
    int resamples = 2000;
    bool json = false, no_follow = false;
    PackageEvaluationFlags package;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("evaluate", "Evaluate a training job's model or an app version on a dataset split "
                                             "(ROC AUC with 95% CI, operating points, calibration), or an imaging "
                                             "app package on labelled study folders (--package, --studies)");
  f->server.add_to(*cmd);
  cmd->add_option("--training-job", f->job, "training job id");
  cmd->add_option("--app", f->app_name, "app name (with --app-version)");
  cmd->add_option("--app-version", f->app_version, "app version");
  cmd->add_option("--dataset", f->dataset, "dataset id");
  cmd->add_option("--dataset-version", f->dataset_version, "frozen version (default: the latest frozen)");
  cmd->add_option("--split", f->split, "train | validation | test | all (default test)");
  cmd->add_option("--bootstrap-resamples", f->resamples, "resamples for the CI")->check(CLI::Range(100, 100000));
  cmd->add_option("--html-out", f->html_out, "also write the HTML report to this file");
  cmd->add_flag("--json", f->json, "print the whole evaluation as JSON");
  cmd->add_flag("--no-follow", f->no_follow, "imaging: print the queued evaluation and return");
  auto& p = f->package;
  cmd->add_option("--package", p.package, "offline: an imaging app package (.medai)")->check(CLI::ExistingFile);
  cmd->add_option("--studies", p.studies, "offline: folder of study folders with ground_truth.json (medai synth --out)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--public-key", p.public_key, "offline: verify the package's signature with this key file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--vendor", p.vendor, "offline: the vendor handle the package must name");
  cmd->add_option("--out", p.out, "offline: write the report (JSON) to this file");
  cmd->add_option("--threads", p.threads, "offline: inference threads")->check(CLI::Range(1, 64));
  cmd->add_flag("--no-baseline", p.no_baseline, "imaging: skip the task's non-learned baseline");
  cmd->callback([f] {
    if (!f->package.package.empty() || !f->package.studies.empty()) {
      if (f->package.package.empty() || f->package.studies.empty())
        fail(make_error(ErrorCode::invalid_argument, "--package and --studies go together"));
      f->package.html_out = f->html_out;
      f->package.resamples = f->resamples;
      evaluate_package_offline(f->package);
      return;
    }
    if (f->dataset.empty()) fail(make_error(ErrorCode::invalid_argument, "--dataset is required (or --package with --studies)"));
    nlohmann::json body = {{"dataset_id", f->dataset}, {"split", f->split}, {"bootstrap_resamples", f->resamples}};
    if (!f->job.empty()) body["training_job_id"] = f->job;
    if (!f->app_name.empty()) body["app_name"] = f->app_name;
    if (!f->app_version.empty()) body["app_version"] = f->app_version;
    if (f->dataset_version > 0) body["dataset_version"] = f->dataset_version;
    if (f->package.no_baseline) body["baseline"] = false;
    ApiClient client(f->server.server, f->server.token);
    auto e = client.call("POST", "/api/v1/evaluations", body);
    if (!e) fail(e.status());
    const std::string id = (*e)["id"].get<std::string>();
    if (e->value("state", "") != "succeeded") {
      if (f->no_follow) {
        std::cout << e->dump(2) << "\n";
        return;
      }
      const nlohmann::json job = follow_job(client, e->value("job_id", ""));
      if (const int code = exit_code_of_job(job); code != 0) {
        std::cerr << "evaluation " << id << " " << job.value("state", "") << ": " << job.value("error_code", "")
                  << ": " << job.value("error_message", "") << "\n";
        exit_with(code);
      }
      e = client.call("GET", "/api/v1/evaluations/" + id);
      if (!e) fail(e.status());
    }
    if (!f->html_out.empty()) {
      auto html = client.get_text("/api/v1/evaluations/" + (*e)["id"].get<std::string>() + "/report.html");
      if (!html) fail(html.status());
      std::ofstream out(f->html_out, std::ios::binary);
      out << *html;
      if (!out) fail(make_error(ErrorCode::io_error, "cannot write " + f->html_out));
    }
    if (f->json) {
      std::cout << e->dump(2) << "\n";
      return;
    }
    if (const auto& headline = (*e)["report"].value("headline", nlohmann::json::array()); !headline.empty()) {
      std::printf("evaluation %s: %s\n", id.c_str(), (*e)["report"].value("title", "").c_str());
      for (const auto& line : headline) std::printf("  %s\n", line.get<std::string>().c_str());
      return;
    }
    for (const auto& [split, m] : (*e)["report"]["splits"].items()) {
      const std::string kind = m.value("kind", "");
      const auto ci = [&](const char* key) {
        const auto c = m.value(key, nlohmann::json::object());
        return std::make_pair(c.value("lower", 0.0), c.value("upper", 0.0));
      };
      const std::string& id_text = (*e)["id"].get_ref<const std::string&>();
      if (kind == "regression") {
        const auto [lo, hi] = ci("mae_ci");
        std::printf("evaluation %s: %s split, %lld cases: MAE %.4g (95%% CI %.4g-%.4g), RMSE %.4g, R2 %s\n",
                    id_text.c_str(), split.c_str(), m.value("cases", 0LL), m.value("mae", 0.0), lo, hi,
                    m.value("rmse", 0.0), m["r2"].is_number() ? std::to_string(m["r2"].get<double>()).c_str() : "n/a");
        continue;
      }
      if (kind == "multiclass") {
        const auto [lo, hi] = ci("accuracy_ci");
        std::printf("evaluation %s: %s split, %lld cases, %zu classes: accuracy %.4f (95%% CI %.4f-%.4f), "
                    "macro ROC AUC %s\n",
                    id_text.c_str(), split.c_str(), m.value("cases", 0LL), m.value("classes", nlohmann::json::array()).size(),
                    m.value("accuracy", 0.0), lo, hi,
                    m["macro_auc"].is_number() ? std::to_string(m["macro_auc"].get<double>()).c_str() : "n/a");
        continue;
      }
      std::printf("evaluation %s: %s split, %lld cases (%lld positive): ROC AUC %.4f (95%% CI %.4f-%.4f)\n",
                  id_text.c_str(), split.c_str(), m.value("cases", 0LL),
                  m.value("positives", 0LL), m.value("auc", 0.0), m["auc_ci"].value("lower", 0.0),
                  m["auc_ci"].value("upper", 0.0));
      for (const auto& p : m.value("at_target_specificity", nlohmann::json::array()))
        std::printf("  specificity >= %.2f: sensitivity %.3f, specificity %.3f\n", p.value("target_specificity", 0.0),
                    p.value("sensitivity", 0.0), p.value("specificity", 0.0));
    }
  });
}

}  // namespace medai::cli

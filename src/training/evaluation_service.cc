#include "training/evaluation_service.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "access/audit.h"
#include "core/clock.h"
#include "core/ids.h"
#include "datasets/csv_table.h"
#include "evaluation/tabular_report.h"
#include "evaluation/report_html.h"
#include "runtime/model_runtime.h"
#include "training/imaging_evaluation_job.h"
#include "training/institution_scope.h"

namespace medai::training {
namespace {

using nlohmann::json;

bool may_evaluate(const access::Principal& who) {
  return who.is_platform_admin() || who.has_role(access::Role::researcher) ||
         who.has_role(access::Role::partner) || who.has_role(access::Role::institution_admin);
}

// The model to score with and what its manifest says about input and output.
struct ModelUnderTest {
  std::string runtime;
  std::filesystem::path artifact;           // a training job's model file
  std::optional<packages::RunnableApp> app;  // or an app version, unpacked only when scored here
  json input, output;
  json subject;
};

json row_to_json(const storage::Row& r, bool with_report) {
  json j = {{"id", r.get_text("id")},
            {"state", r.get_text("state")},
            {"institution_id", r.get_text("institution_id")},
            {"created_by", r.get_text("created_by")},
            {"created_at", iso8601_utc(r.get_int("created_at"))},
            {"subject", json::parse(r.get_text("subject"), nullptr, false)},
            {"dataset_id", r.get_text("dataset_id")},
            {"dataset_version", r.get_int("dataset_version")},
            {"split", r.get_text("split")}};
  if (!r.is_null("job_id")) j["job_id"] = r.get_text("job_id");
  const json report = json::parse(r.get_text("report"), nullptr, false);
  if (with_report) {
    j["report"] = report;
  } else if (report.is_object()) {
    if (report.contains("splits") && report["splits"].is_object())
      for (const auto& [split, m] : report["splits"].items())
        if (m.is_object() && m.contains("auc")) j["auc"] = m["auc"];
    if (report.contains("headline")) j["headline"] = report["headline"];
    j["task"] = report.value("task", "");
  }
  return j;
}

}  // namespace

Result<json> EvaluationService::evaluate(const access::Principal& who, const EvaluationRequest& req) {
  if (!may_evaluate(who)) return make_error(ErrorCode::forbidden, "evaluations need the researcher, partner or an administrator role");
  if (req.training_job_id.has_value() == (req.app_name.has_value() || req.app_version.has_value()))
    return make_error(ErrorCode::invalid_argument, "name either training_job_id or app_name with app_version");
  if (req.split != "train" && req.split != "validation" && req.split != "test" && req.split != "all")
    return make_error(ErrorCode::invalid_argument, "split must be train, validation, test or all", {{"field", "split"}});

  // 1. The model.
  ModelUnderTest model;
  if (req.training_job_id) {
    MEDAI_ASSIGN_OR_RETURN(auto trained, training_.trained_model(who, *req.training_job_id));
    model.runtime = trained.runtime;
    model.artifact = trained.model_file;
    model.input = trained.manifest_fragment.value("input", json::object());
    model.output = trained.manifest_fragment.value("output", json::object());
    model.subject = {{"kind", "training_job"}, {"id", trained.job_id},
                     {"architecture", trained.run.value("architecture", "")}};
    // The model's digest: what a report is about, whatever the job is called later.
    if (const json& m = trained.run.value("model", json()); m.is_object() && m.value("sha256", "") != "")
      model.subject["digest"] = "sha256:" + m.value("sha256", "");
  } else {
    if (!req.app_name || !req.app_version)
      return make_error(ErrorCode::invalid_argument, "an app evaluation needs app_name and app_version");
    MEDAI_ASSIGN_OR_RETURN(auto version, apps_.get_version(who, *req.app_name, *req.app_version));
    MEDAI_ASSIGN_OR_RETURN(model.app, apps_.visible_runnable(who, *req.app_name, *req.app_version));
    const json& m = model.app->manifest;
    model.runtime = m["model"].value("runtime", "");
    model.input = m.value("input", json::object());
    model.output = m.value("output", json::object());
    model.subject = {{"kind", "app_version"}, {"app", version.app_name}, {"version", version.version},
                     {"vendor", model.app->vendor}, {"approved", version.approved}, {"digest", version.digest}};
  }
  // 2. The data: the caller's own right to read the dataset applies.
  MEDAI_ASSIGN_OR_RETURN(auto dataset, datasets_.get(who, req.dataset_id));
  std::int64_t version = req.dataset_version.value_or(0);
  if (version == 0) {
    MEDAI_ASSIGN_OR_RETURN(auto all, datasets_.versions(who, req.dataset_id));
    for (const auto& v : all)
      if (v.state == "frozen") version = std::max(version, v.version);
    if (version == 0) return make_error(ErrorCode::conflict, "the dataset has no frozen version");
  }
  MEDAI_ASSIGN_OR_RETURN(auto dv, datasets_.get_version(who, req.dataset_id, version));
  if (dv.state != "frozen")
    return make_error(ErrorCode::conflict, "evaluate on a frozen dataset version (this one is a draft)");
  const bool imaging_model = model.input.value("kind", "") != "tabular";
  if (imaging_model != (dataset.kind == "imaging"))
    return make_error(ErrorCode::unprocessable,
                      imaging_model ? "an imaging model is evaluated on an imaging dataset"
                                    : "a tabular model is evaluated on a tabular dataset",
                      {{"field", "dataset_id"}, {"dataset_kind", dataset.kind}});
  if (imaging_model) return queue_imaging(who, req, model.subject, dataset.id, dataset.name, version);

  // 3. Tabular: the table's rows, scored here and now. The model's output
  // declaration says what it predicts: a value (regression), or one
  // probability per label numbered 0..K-1 (K = 2: the probability of label 1).
  const bool regression = model.output.value("prediction", "") == "value";
  std::vector<std::string> class_names;
  if (!regression) {
    const json declared = model.output.value("labels", json::array());
    class_names.resize(declared.size());
    for (const auto& l : declared) {
      const int v = l.value("value", -1);
      if (v >= 0 && static_cast<std::size_t>(v) < class_names.size()) class_names[static_cast<std::size_t>(v)] = l.value("name", "");
    }
    if (class_names.size() < 2 || std::count(class_names.begin(), class_names.end(), "") > 0)
      return make_error(ErrorCode::unprocessable, "the model does not declare output labels numbered 0 to K-1 (K >= 2)");
  }
  const std::size_t k = class_names.size();

  std::optional<datasets::Split> only;
  if (req.split != "all") {
    MEDAI_ASSIGN_OR_RETURN(only, datasets::split_from_name(req.split));
  }
  MEDAI_ASSIGN_OR_RETURN(auto exported, datasets_.export_table(who, req.dataset_id, version, only));
  MEDAI_ASSIGN_OR_RETURN(auto table, datasets::parse_csv(exported.csv));
  const std::string label_column = dv.schema.value("label_column", "");
  const int label_index = table.column(label_column);
  if (label_index < 0) return make_error(ErrorCode::internal, "the exported table lacks its label column");

  std::vector<int> columns;
  json missing = json::array();
  for (const auto& f : model.input.value("features", json::array())) {
    const int c = table.column(f.value("name", ""));
    if (c < 0) missing.push_back(f.value("name", ""));
    columns.push_back(c);
  }
  if (!missing.empty())
    return make_error(ErrorCode::unprocessable, "the dataset lacks features the model needs",
                      {{"missing_features", missing}});
  if (table.rows.empty()) return make_error(ErrorCode::unprocessable, "the split has no rows");
  std::vector<float> x;
  std::vector<double> y;  // class index, or the observed value
  x.reserve(table.rows.size() * columns.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const std::string& label = row[static_cast<std::size_t>(label_index)];
    double target = 0;
    if (regression) {
      const auto value = datasets::parse_number(label);
      if (!value)
        return make_error(ErrorCode::unprocessable, "a row's label is not a number, and the model predicts one",
                          {{"row", r + 1}});
      target = *value;
    } else {
      const auto it = std::find(class_names.begin(), class_names.end(), label);
      if (it == class_names.end())
        return make_error(ErrorCode::unprocessable, "a row's label is not one of the model's labels",
                          {{"row", r + 1}, {"labels", class_names}});
      target = static_cast<double>(it - class_names.begin());
    }
    y.push_back(target);
    for (int c : columns) {
      const std::string& cell = row[static_cast<std::size_t>(c)];
      if (datasets::is_missing(cell)) {
        x.push_back(std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      const auto v = datasets::parse_number(cell);
      if (!v)
        return make_error(ErrorCode::unprocessable, "feature '" + table.header[static_cast<std::size_t>(c)] +
                                                        "' is not numeric in the dataset",
                          {{"row", r + 1}});
      x.push_back(static_cast<float>(*v));
    }
  }

  // Score and measure.
  if (model.app) {
    MEDAI_ASSIGN_OR_RETURN(auto dir, packages_.unpacked(*model.app));
    model.artifact = dir / model.app->manifest["model"].value("artifact", "");
  }
  MEDAI_ASSIGN_OR_RETURN(auto rt, runtime::make_runtime(model.runtime));
  MEDAI_RETURN_IF_ERROR(rt->load({.key = "evaluation", .runtime = model.runtime, .artifact = model.artifact,
                                  .threads = threads_}));
  const auto rows = static_cast<std::int64_t>(y.size()), nf = static_cast<std::int64_t>(columns.size());
  MEDAI_ASSIGN_OR_RETURN(auto outputs, rt->infer({runtime::make_f32("features", {rows, nf}, std::move(x))}));
  rt->unload();
  if (outputs.empty() || outputs[0].dtype != runtime::DType::f32)
    return make_error(ErrorCode::inference_failed, "the model returned no FP32 predictions");
  const auto& pred = outputs[0];
  const std::vector<double> values(pred.f32.begin(), pred.f32.end());
  auto bad_shape = [&] {
    return make_error(ErrorCode::inference_failed, "unexpected prediction shape " + runtime::shape_text(pred.shape));
  };
  const bool per_row = (pred.shape.size() == 1 && pred.shape[0] == rows) ||
                       (pred.shape.size() == 2 && pred.shape[0] == rows && pred.shape[1] == 1);
  // Scores in the form tabular_report takes: a value or P(class 1) per row,
  // or rows × classes probabilities.
  std::vector<double> scores;
  if (regression || k > 2) {
    const bool fits = regression ? per_row
                                 : pred.shape.size() == 2 && pred.shape[0] == rows &&
                                       pred.shape[1] == static_cast<std::int64_t>(k);
    if (!fits) return bad_shape();
    scores = values;
  } else if (per_row) {
    scores = values;
  } else if (pred.shape.size() == 2 && pred.shape[0] == rows && pred.shape[1] >= 2) {
    for (std::int64_t r = 0; r < rows; ++r) scores.push_back(values[static_cast<std::size_t>(r * pred.shape[1] + 1)]);
  } else {
    return bad_shape();
  }
  MEDAI_ASSIGN_OR_RETURN(json block, evaluation::tabular_report(scores, y, class_names,
                                                                {.bootstrap_resamples = req.bootstrap_resamples,
                                                                 .seed = req.seed,
                                                                 .thresholds = req.thresholds}));
  const std::string note = regression ? "Target: " + label_column + "."
                           : k == 2   ? "Positive class: " + class_names[1] + "."
                                      : "Classes: " + std::to_string(k) + " label values, probabilities per class.";

  const std::string id = new_id("eval");
  const std::string subject_text = model.subject.value("kind", "") == "training_job"
                                       ? "training job " + model.subject.value("id", "")
                                       : model.subject.value("app", "") + " " + model.subject.value("version", "");
  json report = {{"schema", evaluation::kReportSchema},
                 {"title", "Evaluation of " + subject_text + " on " + dataset.name + " v" + std::to_string(version) +
                               " (" + req.split + ")"},
                 {"created_at", iso8601_utc(now_ms())},
                 {"task", regression ? "regression" : "classification"},
                 {"subject", model.subject},
                 {"dataset", {{"id", dataset.id}, {"name", dataset.name}, {"version", version}, {"split", req.split}}},
                 {"splits", {{req.split, block}}},
                 {"notes", {note,
                            "Research use only: an evaluation on this dataset does not validate clinical use."}}};
  const std::int64_t now = now_ms();
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO evaluations (id, institution_id, created_by, subject, dataset_id, "
                                  "dataset_version, split, report, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                                  {id, who.institution_id, who.user_id, model.subject.dump(), dataset.id, version,
                                   req.split, report.dump(), now})
                              .status());
    auto ev = access::audit_event(who, "evaluation.create", "evaluation", id);
    ev.detail = {{"subject", model.subject}, {"dataset_id", dataset.id}, {"dataset_version", version}};
    return access::record_audit(tx, ev);
  }));
  return get(who, id);
}

Result<json> EvaluationService::queue_imaging(const access::Principal& who, const EvaluationRequest& req,
                                              const json& subject, const std::string& dataset_id,
                                              const std::string& dataset_name, std::int64_t version) {
  const std::string id = new_id("eval");
  jobs::JobRequest r;
  r.type = kEvaluationJobType;
  r.institution_id = who.institution_id;
  r.created_by = who.user_id;
  r.max_attempts = 2;
  r.input = {{"evaluation_id", id},       {"subject", subject},
             {"dataset_id", dataset_id},   {"dataset_name", dataset_name},
             {"dataset_version", version}, {"split", req.split},
             {"bootstrap_resamples", req.bootstrap_resamples}, {"seed", req.seed},
             {"baseline", req.baseline}};
  MEDAI_ASSIGN_OR_RETURN(auto queued, engine_.enqueue(r));
  const std::string job_id = queued.job.id;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO evaluations (id, institution_id, created_by, subject, dataset_id, "
                                  "dataset_version, split, report, created_at, state, job_id) "
                                  "VALUES ($1,$2,$3,$4,$5,$6,$7,'{}',$8,'queued',$9)",
                                  {id, who.institution_id, who.user_id, subject.dump(), dataset_id, version, req.split,
                                   now_ms(), job_id})
                              .status());
    auto ev = access::audit_event(who, "evaluation.create", "evaluation", id);
    ev.detail = {{"subject", subject}, {"dataset_id", dataset_id}, {"dataset_version", version}, {"job_id", job_id}};
    return access::record_audit(tx, ev);
  });
  if (!s) {
    (void)engine_.cancel(access::system_principal(), job_id);
    return s;
  }
  return get(who, id);
}

json EvaluationService::with_job_state(json e) {
  if (e.value("state", "") == "succeeded" || !e.contains("job_id")) return e;
  auto job = engine_.get(access::system_principal(), e["job_id"].get<std::string>());
  if (!job) return e;
  const json j = jobs::to_json(*job);
  e["state"] = j.value("state", "queued");  // queued | running | failed | cancelled (succeeded: the row says so first)
  e["job"] = {{"id", job->id}, {"state", j.value("state", "")}, {"progress", job->progress},
              {"progress_message", job->progress_message}};
  if (job->error_code) e["job"]["error_code"] = *job->error_code;
  if (job->error_message) e["job"]["error_message"] = *job->error_message;
  return e;
}

Result<json> EvaluationService::get(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT * FROM evaluations WHERE id = $1", {id}));
  if (!row || !who.can_see_institution(row->get_text("institution_id")))
    return make_error(ErrorCode::not_found, "no such evaluation");
  return with_job_state(row_to_json(*row, true));
}

Result<std::string> EvaluationService::report_html(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto e, get(who, id));
  if (e.value("state", "") != "succeeded")
    return make_error(ErrorCode::conflict, "the evaluation has no report yet", {{"state", e.value("state", "")}});
  return evaluation::render_report_html(e["report"]);
}

Result<std::vector<json>> EvaluationService::list(const access::Principal& who, access::Page page) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  const std::string sql = "SELECT * FROM evaluations " + institution_scope(who) +
                          "ORDER BY created_at DESC, id LIMIT $2 OFFSET $3";
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, {who.institution_id, page.limit, page.offset}));
  std::vector<json> out;
  for (const auto& r : rows) out.push_back(with_job_state(row_to_json(r, false)));
  return out;
}

Result<std::int64_t> EvaluationService::count(const access::Principal& who) {
  return count_in_scope(catalog_, "evaluations", who);
}

}  // namespace medai::training

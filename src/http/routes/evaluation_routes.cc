// Evaluations: score a training job's model or an app version on a split of
// a dataset, keep the report (JSON + self-contained HTML).
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "training/evaluation_service.h"

namespace medai::http::routes {
namespace {

json evaluation_schema() {
  return schema_object({{"id", schema_string()},
                        {"state", schema_string("succeeded | queued | running | failed | cancelled")},
                        {"job_id", schema_string("imaging evaluations: the evaluation.run job")},
                        {"job", {{"type", "object"}, {"description", "while not succeeded: the job's state, progress and error"}}},
                        {"institution_id", schema_string()},
                        {"created_by", schema_string()},
                        {"created_at", schema_string()},
                        {"subject", {{"type", "object"}, {"description", "training_job {id} or app_version {app, version}"}}},
                        {"dataset_id", schema_string()},
                        {"dataset_version", {{"type", "integer"}}},
                        {"split", schema_string()},
                        {"report", {{"type", "object"}, {"description", "medai.evaluation-report/1"}}}});
}

Result<training::EvaluationRequest> request_of(const json& body) {
  MEDAI_RETURN_IF_ERROR(reject_unknown_fields(body, {"training_job_id", "app_name", "app_version", "dataset_id",
                                                     "dataset_version", "split", "bootstrap_resamples", "seed",
                                                     "thresholds", "baseline"}));
  training::EvaluationRequest r;
  auto job = optional_string(body, "training_job_id", 64);
  auto app = optional_string(body, "app_name", 64);
  auto version = optional_string(body, "app_version", 128);
  auto dataset = required_string(body, "dataset_id", 64);
  auto dataset_version = optional_int(body, "dataset_version");
  auto split = optional_string(body, "split", 20);
  auto resamples = optional_int(body, "bootstrap_resamples");
  for (const Status& s : {job.status(), app.status(), version.status(), dataset.status(), dataset_version.status(),
                          split.status(), resamples.status()})
    MEDAI_RETURN_IF_ERROR(s);
  r.training_job_id = *job;
  r.app_name = *app;
  r.app_version = *version;
  r.dataset_id = *dataset;
  r.dataset_version = *dataset_version;
  r.split = split->value_or("test");
  const std::int64_t n = resamples->value_or(2000);
  if (n < 100 || n > 100000)
    return make_error(ErrorCode::invalid_argument, "bootstrap_resamples must be 100..100000",
                      {{"field", "bootstrap_resamples"}});
  r.bootstrap_resamples = static_cast<int>(n);
  if (body.contains("seed")) {
    if (!body["seed"].is_number_unsigned())
      return make_error(ErrorCode::invalid_argument, "seed must be a non-negative integer", {{"field", "seed"}});
    r.seed = body["seed"].get<std::uint64_t>();
  }
  if (body.contains("baseline")) {
    if (!body["baseline"].is_boolean())
      return make_error(ErrorCode::invalid_argument, "baseline must be true or false", {{"field", "baseline"}});
    r.baseline = body["baseline"].get<bool>();
  }
  if (body.contains("thresholds")) {
    if (!body["thresholds"].is_array() || body["thresholds"].size() > 20)
      return make_error(ErrorCode::invalid_argument, "thresholds must be an array of up to 20 numbers",
                        {{"field", "thresholds"}});
    r.thresholds.clear();
    for (const auto& t : body["thresholds"]) {
      if (!t.is_number())
        return make_error(ErrorCode::invalid_argument, "thresholds must be numbers", {{"field", "thresholds"}});
      r.thresholds.push_back(t.get<double>());
    }
  }
  return r;
}

}  // namespace

void register_evaluation_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::post,
              .pattern = "/api/v1/evaluations",
              .operation_id = "createEvaluation",
              .summary = "Evaluate a model on a dataset split",
              .description = "Researchers, partners and institution admins. Scores a finished training job's model "
                             "(training_job_id) or a visible app version (app_name + app_version, approved or not, "
                             "so an institution can check a vendor's version on its own data before approving) on "
                             "a split (default test) of a frozen dataset version the caller can read, and stores "
                             "the report. Tabular classification answers 201 with the report (ROC AUC with 95% "
                             "bootstrap CI, operating points, calibration). Imaging models on imaging datasets "
                             "answer 202: the evaluation is queued as an evaluation.run job (job_id; progress via "
                             "/api/v1/jobs/{id} and its events) and gets its report when the job succeeds: FROC/CPM, "
                             "diameter and type for detection, Dice/HD95 per structure for segmentation, exam AUC "
                             "with CI for 2-D exam classification, each next to the task's non-learned baseline "
                             "(baseline: false skips it). Ground truth comes from the stored SEG/RTSTRUCT objects "
                             "and the item labels.",
              .tags = {"evaluations"},
              .request_schema = schema_object({{"training_job_id", schema_string()},
                                               {"app_name", schema_string()},
                                               {"app_version", schema_string()},
                                               {"dataset_id", schema_string()},
                                               {"dataset_version", {{"type", "integer"}}},
                                               {"split", schema_string("train | validation | test | all")},
                                               {"bootstrap_resamples", {{"type", "integer"}}},
                                               {"seed", {{"type", "integer"}}},
                                               {"thresholds", {{"type", "array"}, {"items", {{"type", "number"}}}}},
                                               {"baseline", {{"type", "boolean"}}}},
                                              {"dataset_id"}),
              .responses = {{201, "the evaluation with its report (tabular)", evaluation_schema()},
                            {202, "the imaging evaluation, queued (state, job_id)", evaluation_schema()},
                            error_doc(400, "invalid field"), error_doc(403, "role may not evaluate"),
                            error_doc(404, "model or dataset not found or not visible"),
                            error_doc(409, "training job not finished, or dataset version not frozen"),
                            error_doc(422, "the dataset lacks the model's features or labels")},
              .max_body_bytes = 64 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               auto r = request_of(*body);
               if (!r) return Response::error(r.status());
               auto e = ctx.evaluations->evaluate(*req.principal, *r);
               if (!e) return fail(ctx, req, e.status());
               const bool finished = e->value("state", "") == "succeeded";
               return Response::json(*e, finished ? 201 : 202);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/evaluations",
              .operation_id = "listEvaluations",
              .summary = "List evaluations",
              .description = "Newest first, the caller's institution (platform admins: all); without the reports.",
              .tags = {"evaluations"},
              .parameters = paging_parameters(),
              .responses = {{200, "evaluations", paged_list_schema({{"type", "object"}})}}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto list = ctx.evaluations->list(*req.principal, *page);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (auto& e : *list) items.push_back(std::move(e));
               auto total = list_total(items.size(), *page, [&] { return ctx.evaluations->count(*req.principal); });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), *page, *total);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/evaluations/{id}",
              .operation_id = "getEvaluation",
              .summary = "Get an evaluation with its report",
              .description = "The stored evaluation and its medai.evaluation-report/1 document.",
              .tags = {"evaluations"},
              .responses = {{200, "the evaluation", evaluation_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto e = ctx.evaluations->get(*req.principal, req.param("id"));
               if (!e) return fail(ctx, req, e.status());
               return Response::json(*e);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/evaluations/{id}/report.html",
              .operation_id = "getEvaluationReportHtml",
              .summary = "Evaluation report as a self-contained HTML page",
              .description = "Inline SVG plots (ROC, calibration) and the metric tables; no script, no external resource.",
              .tags = {"evaluations"},
              .responses = {{200, "text/html"}, error_doc(404, "not found"),
                            error_doc(409, "an imaging evaluation whose job has not succeeded")}},
             [&ctx](Request& req) {
               auto html = ctx.evaluations->report_html(*req.principal, req.param("id"));
               if (!html) return fail(ctx, req, html.status());
               return Response::text(std::move(*html), "text/html; charset=utf-8");
             });
}

}  // namespace medai::http::routes

// Training jobs: create (validated before queueing), list, get with the epoch
// history, cancel, the evaluation report as JSON and as a self-contained
// HTML page. Progress also streams on /api/v1/jobs/{id}/events (same id).
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "training/training_service.h"

namespace medai::http::routes {
namespace {

json training_job_schema() {
  return schema_object(
      {{"id", schema_string()},
       {"state", {{"type", "string"}, {"enum", {"queued", "running", "succeeded", "failed", "cancelled"}}}},
       {"progress", {{"type", "number"}}},
       {"progress_message", schema_string()},
       {"dataset_id", schema_string()},
       {"dataset_version", {{"type", "integer"}}},
       {"task", schema_string()},
       {"architecture", schema_string()},
       {"hyper", {{"type", "object"}}},
       {"seed", {{"type", "integer"}}},
       {"threads", {{"type", "integer"}}},
       {"runtime", {{"type", {"string", "null"}}}},
       {"model", {{"type", {"object", "null"}}, {"description", "{sha256, bytes} of the exported model"}}},
       {"has_report", {{"type", "boolean"}}},
       {"history", {{"type", "array"},
                    {"description", "one record per finished epoch/round: epoch, loss, validation{...}, "
                                    "samples_per_second, eta_seconds"}}}});
}

Result<training::NewTrainingJob> new_job_of(const json& body) {
  MEDAI_RETURN_IF_ERROR(reject_unknown_fields(
      body, {"dataset_id", "dataset_version", "task", "architecture", "hyper", "seed", "threads"}));
  training::NewTrainingJob in;
  auto dataset = required_string(body, "dataset_id", 64);
  auto arch = required_string(body, "architecture", 64);
  auto task = optional_string(body, "task", 64);
  auto version = optional_int(body, "dataset_version");
  auto threads = optional_int(body, "threads");
  for (const Status& s : {dataset.status(), arch.status(), task.status(), version.status(), threads.status()})
    MEDAI_RETURN_IF_ERROR(s);
  in.dataset_id = *dataset;
  in.architecture = *arch;
  in.task = task->value_or("classification");
  in.dataset_version = *version;
  in.threads = *threads;
  if (body.contains("hyper")) {
    if (!body["hyper"].is_object())
      return make_error(ErrorCode::invalid_argument, "field 'hyper' must be an object", {{"field", "hyper"}});
    in.hyper = body["hyper"];
  }
  if (body.contains("seed")) {
    if (!body["seed"].is_number_unsigned())
      return make_error(ErrorCode::invalid_argument, "field 'seed' must be a non-negative integer", {{"field", "seed"}});
    in.seed = body["seed"].get<std::uint64_t>();
  }
  return in;
}

}  // namespace

void register_training_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::post,
              .pattern = "/api/v1/training-jobs",
              .operation_id = "createTrainingJob",
              .summary = "Start a training job",
              .description = "Researchers, partners and platform admins. Trains `architecture` on a frozen version "
                             "of a dataset the caller can see (default: its latest frozen version). The "
                             "hyper-parameters are checked before the job is queued: 422 lists every problem in "
                             "detail.problems. Progress: GET /api/v1/training-jobs/{id} or the job's event stream "
                             "/api/v1/jobs/{id}/events. See docs/training.md.",
              .tags = {"training"},
              .request_schema = schema_object({{"dataset_id", schema_string()},
                                               {"dataset_version", {{"type", "integer"}}},
                                               {"task", schema_string("classification | segmentation | detection")},
                                               {"architecture", schema_string("xgboost | unet3d | detector3d | resnet2d")},
                                               {"hyper", {{"type", "object"}}},
                                               {"seed", {{"type", "integer"}, {"minimum", 0}}},
                                               {"threads", {{"type", "integer"}, {"minimum", 1}}}},
                                              {"dataset_id", "architecture"}),
              .responses = {{201, "queued", training_job_schema()},
                            error_doc(400, "invalid field"),
                            error_doc(403, "role may not train"),
                            error_doc(404, "dataset not found or not visible"),
                            error_doc(409, "dataset version not frozen"),
                            error_doc(422, "unknown architecture, task, or invalid hyper-parameters")},
              .max_body_bytes = 256 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               auto in = new_job_of(*body);
               if (!in) return Response::error(in.status());
               auto j = ctx.training->create(*req.principal, *in);
               if (!j) return fail(ctx, req, j.status());
               return Response::json(*j, 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/training-jobs",
              .operation_id = "listTrainingJobs",
              .summary = "List training jobs",
              .description = "Newest first; the caller's institution (platform admins: all). Without history.",
              .tags = {"training"},
              .parameters = paging_parameters(),
              .responses = {{200, "training jobs",
                             schema_object({{"items", {{"type", "array"}, {"items", training_job_schema()}}},
                                            {"limit", {{"type", "integer"}}},
                                            {"offset", {{"type", "integer"}}}})}}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto list = ctx.training->list(*req.principal, *page);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (auto& j : *list) items.push_back(std::move(j));
               return Response::json(list_envelope(std::move(items), *page));
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/training-jobs/{id}",
              .operation_id = "getTrainingJob",
              .summary = "Get a training job with its epoch history",
              .description = "State and progress as for jobs, what was asked, the exported model once trained, and "
                             "the loss and validation curves (history).",
              .tags = {"training"},
              .responses = {{200, "the training job", training_job_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto j = ctx.training->get(*req.principal, req.param("id"));
               if (!j) return fail(ctx, req, j.status());
               return Response::json(*j);
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/training-jobs/{id}/cancel",
              .operation_id = "cancelTrainingJob",
              .summary = "Cancel a training job",
              .description = "A queued job is cancelled at once; a running one stops at the next round or step.",
              .tags = {"training"},
              .responses = {{200, "the job after the request", training_job_schema()},
                            error_doc(403, "neither submitter nor administrator"), error_doc(404, "not found"),
                            error_doc(409, "already finished")}},
             [&ctx](Request& req) {
               auto j = ctx.training->cancel(*req.principal, req.param("id"));
               if (!j) return fail(ctx, req, j.status());
               return Response::json(*j);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/training-jobs/{id}/report",
              .operation_id = "getTrainingReport",
              .summary = "Evaluation report of a training job (JSON)",
              .description = "Schema medai.evaluation-report/1 (docs/training.md): metrics per split (AUC with 95% "
                             "bootstrap CI, operating points, calibration), history, hyper-parameters, dataset.",
              .tags = {"training"},
              .responses = {{200, "the report", {{"type", "object"}}}, error_doc(404, "not found"),
                            error_doc(409, "not finished")}},
             [&ctx](Request& req) {
               auto r = ctx.training->report(*req.principal, req.param("id"));
               if (!r) return fail(ctx, req, r.status());
               return Response::json(*r);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/training-jobs/{id}/report.html",
              .operation_id = "getTrainingReportHtml",
              .summary = "Evaluation report of a training job (self-contained HTML)",
              .description = "The same report as one HTML page with inline SVG plots (loss, validation, ROC, "
                             "calibration); no script, no external resource.",
              .tags = {"training"},
              .responses = {{200, "text/html"}, error_doc(404, "not found"), error_doc(409, "not finished")}},
             [&ctx](Request& req) {
               auto r = ctx.training->report_html(*req.principal, req.param("id"));
               if (!r) return fail(ctx, req, r.status());
               return Response::text(std::move(*r), "text/html; charset=utf-8");
             });
}

}  // namespace medai::http::routes

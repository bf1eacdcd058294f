// Training jobs: create (validated before queueing), list, get with the epoch
// history, cancel, the evaluation report as JSON and as a self-contained
// HTML page. Progress also streams on /api/v1/jobs/{id}/events (same id).
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "core/ids.h"
#include "packages/package_builder.h"
#include "training/app_package.h"
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

// The package of a finished job for the caller's institution as vendor; the
// scratch folder is removed whatever happens.
Result<std::string> package_of(AppContext& ctx, const access::Principal& who, const std::string& id,
                               training::AppPackageRequest request) {
  MEDAI_ASSIGN_OR_RETURN(auto model, ctx.training->trained_model(who, id));
  MEDAI_ASSIGN_OR_RETURN(auto institution, ctx.directory->get_institution(who, who.institution_id));
  request.vendor = institution.name;
  const auto scratch = std::filesystem::path(ctx.config.data_dir) / "work" / "training-packages" / new_id("pkg");
  auto bytes = training::build_app_package(model, request, scratch);
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  return bytes;
}

Result<training::AppPackageRequest> package_request_of(const json& fields) {
  training::AppPackageRequest r;
  auto name = required_string(fields, "name", 63);
  auto version = required_string(fields, "version", 128);
  auto display = optional_string(fields, "display_name", 200);
  auto use = optional_string(fields, "intended_use", 8000);
  auto licence = optional_string(fields, "licence", 200);
  auto synthetic = optional_bool(fields, "synthetic_training_data");
  for (const Status& s : {name.status(), version.status(), display.status(), use.status(), licence.status(),
                          synthetic.status()})
    MEDAI_RETURN_IF_ERROR(s);
  r.name = *name;
  r.version = *version;
  r.display_name = display->value_or("");
  r.intended_use = use->value_or("");
  r.licence = licence->value_or("proprietary");
  r.synthetic_training_data = synthetic->value_or(false);
  return r;
}

json package_request_properties() {
  return {{"name", schema_string("app name, lower-case handle")},
          {"version", schema_string("semantic version, e.g. 1.0.0")},
          {"display_name", schema_string()},
          {"intended_use", schema_string("default: a research-use statement naming the job and dataset")},
          {"licence", schema_string("default: proprietary")},
          {"synthetic_training_data", {{"type", "boolean"}}}};
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
                                               {"task", schema_string("classification | regression (xgboost) | segmentation | detection")},
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
              .pattern = "/api/v1/training-architectures",
              .operation_id = "listTrainingArchitectures",
              .summary = "Architectures a training job can use, with their tasks and default hyper-parameters",
              .description = "Any signed-in user. Each architecture with the tasks it serves and every "
                             "hyper-parameter's default, in the form POST /api/v1/training-jobs accepts "
                             "(docs/training.md lists the ranges).",
              .tags = {"training"},
              .responses = {{200, "architectures",
                             schema_object({{"items", {{"type", "array"},
                                                       {"items", schema_object({{"architecture", schema_string()},
                                                                                {"tasks", {{"type", "array"}}},
                                                                                {"defaults", {{"type", "object"}}}})}}}})}}},
             [&ctx](Request&) {
               json items = json::array();
               const auto& trainers = ctx.training->trainers();
               for (const auto& name : trainers.names()) {
                 const auto trainer = trainers.make(name);
                 items.push_back({{"architecture", name}, {"tasks", trainer->tasks()}, {"defaults", trainer->defaults()}});
               }
               return Response::json(json{{"items", items}});
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/training-jobs",
              .operation_id = "listTrainingJobs",
              .summary = "List training jobs",
              .description = "Newest first; the caller's institution (platform admins: all). Without history.",
              .tags = {"training"},
              .parameters = paging_parameters(),
              .responses = {{200, "training jobs", paged_list_schema(training_job_schema())}}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto list = ctx.training->list(*req.principal, *page);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (auto& j : *list) items.push_back(std::move(j));
               auto total = list_total(items.size(), *page, [&] { return ctx.training->count(*req.principal); });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), *page, *total);
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
  router.add({.method = Method::get,
              .pattern = "/api/v1/training-jobs/{id}/package",
              .operation_id = "getTrainingPackage",
              .summary = "Unsigned app package of a finished training job",
              .description = "Builds the .medai package (manifest from the trainer's fragment, the report's metrics "
                             "as validation, training-data summary, research-use-only flags, the model) with the "
                             "caller's institution as vendor, unsigned: `medai train publish` signs it with the "
                             "vendor key on the client and uploads it to POST /api/v1/apps. Query: name, version, "
                             "display_name, intended_use, licence.",
              .tags = {"training"},
              .parameters = {query_parameter("name", "app name"), query_parameter("version", "semantic version"),
                             query_parameter("display_name", "shown name"),
                             query_parameter("intended_use", "intended use statement"),
                             query_parameter("licence", "licence")},
              .responses = {{200, "application/zip"}, error_doc(404, "not found"), error_doc(409, "not finished"),
                            error_doc(422, "invalid_manifest (every problem listed)")}},
             [&ctx](Request& req) {
               json fields = json::object();
               for (const char* k : {"name", "version", "display_name", "intended_use", "licence"})
                 if (auto v = req.query_param(k)) fields[k] = *v;
               auto request = package_request_of(fields);
               if (!request) return Response::error(request.status());
               auto bytes = package_of(ctx, *req.principal, req.param("id"), *request);
               if (!bytes) return fail(ctx, req, bytes.status());
               return Response::text(std::move(*bytes), "application/zip");
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/training-jobs/{id}/publish",
              .operation_id = "publishTrainingJob",
              .summary = "Publish a finished training job as an app version",
              .description = "Partners (the app catalog's rule). Builds the package as GET .../package does, signs "
                             "it with `signing_key` (the key file JSON of a key registered for the caller's "
                             "institution; sent over TLS and never stored) and publishes it through the app "
                             "catalog, check run included. Vendors who keep keys off the server use `medai train "
                             "publish`, which signs on the client.",
              .tags = {"training"},
              .request_schema = [] {
                auto props = package_request_properties();
                props["signing_key"] = {{"type", "object"}, {"description", "secret key file JSON (medai app keygen)"}};
                return schema_object(props, {"name", "version", "signing_key"});
              }(),
              .responses = {{201, "published app version", {{"type", "object"}}},
                            error_doc(403, "not a partner"), error_doc(404, "not found"),
                            error_doc(409, "not finished, or the version exists"),
                            error_doc(422, "invalid manifest, unknown signing key, check run failed")},
              .max_body_bytes = 64 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "version", "display_name", "intended_use",
                                                            "licence", "synthetic_training_data", "signing_key"});
                   !s)
                 return Response::error(s);
               auto request = package_request_of(*body);
               if (!request) return Response::error(request.status());
               if (!body->contains("signing_key") || !(*body)["signing_key"].is_object())
                 return Response::error(make_error(ErrorCode::invalid_argument,
                                                   "signing_key (the key file JSON) is required",
                                                   {{"field", "signing_key"}}));
               auto key = packages::parse_key_json((*body)["signing_key"].dump());
               if (!key || key->secret_key.empty())
                 return Response::error(make_error(ErrorCode::invalid_argument,
                                                   "signing_key must be a secret key file", {{"field", "signing_key"}}));
               auto bytes = package_of(ctx, *req.principal, req.param("id"), *request);
               if (!bytes) return fail(ctx, req, bytes.status());
               auto signed_bytes = packages::sign_package_archive(*bytes, *key);
               if (!signed_bytes) return Response::error(signed_bytes.status());
               auto v = ctx.apps->publish(*req.principal, *signed_bytes);
               if (!v) return Response::error(v.status());
               return Response::json(packages::to_json(*v), 201);
             });
}

}  // namespace medai::http::routes

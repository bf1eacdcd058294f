// KServe v2 (Open Inference Protocol, HTTP/JSON) for the models medai
// serves: server health and metadata, model metadata, readiness and
// inference. Models come from AppContext::model_directory (which decides
// what the caller may see) and run through AppContext::models (the shared
// ModelRepository). Health endpoints are public like /healthz; everything
// about models needs authentication like the rest of the API.
#include <algorithm>

#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "runtime/kserve_json.h"
#include "runtime/model_directory.h"
#include "runtime/model_repository.h"

namespace medai::http::routes {
namespace {

runtime::ModelCaller caller_of(const Request& req) {
  runtime::ModelCaller c;
  if (req.principal) {
    c.institution_id = req.principal->institution_id;
    c.platform_admin = req.principal->is_platform_admin();
  }
  return c;
}

Result<runtime::ServedModel> find_model(AppContext& ctx, const Request& req) {
  if (!ctx.model_directory || !ctx.models)
    return make_error(ErrorCode::not_implemented, "model serving is not configured on this server");
  std::optional<std::string> version;
  if (auto it = req.path_params.find("version"); it != req.path_params.end()) version = it->second;
  const std::string& name = req.param("name");
  auto m = ctx.model_directory->find(caller_of(req), name, version);
  if (!m)
    return make_error(ErrorCode::not_found, "no model '" + name.substr(0, 64) + "'" +
                                                (version ? " version '" + version->substr(0, 64) + "'" : ""));
  return *m;
}

json model_metadata(AppContext& ctx, const Request& req, const runtime::ServedModel& m) {
  json versions = json::array();
  for (const auto& other : ctx.model_directory->list(caller_of(req)))
    if (other.name == m.name) versions.push_back(other.version);
  return {{"name", m.name},
          {"versions", versions},
          {"platform", m.spec.runtime == "torchscript"    ? "pytorch_libtorch"
                       : m.spec.runtime == "onnx-opencv" ? "onnx_opencv"
                                                          : m.spec.runtime},
          {"inputs", m.inputs},
          {"outputs", m.outputs}};
}

Response infer(AppContext& ctx, Request& req) {
  auto model = find_model(ctx, req);
  if (!model.is_ok()) return fail(ctx, req, model.status());
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return fail(ctx, req, make_error(ErrorCode::malformed_json, "the request body is not a JSON object"));
  if (!body.contains("inputs"))
    return fail(ctx, req, make_error(ErrorCode::invalid_input, "the request has no 'inputs'"));
  auto inputs = runtime::tensors_from_kserve(body["inputs"], "inputs");
  if (!inputs.is_ok()) return fail(ctx, req, inputs.status());
  auto handle = ctx.models->acquire(model->spec);
  if (!handle.is_ok()) return fail(ctx, req, handle.status());
  auto outputs = (*handle)->infer(*inputs);
  if (!outputs.is_ok()) return fail(ctx, req, outputs.status());
  // Optional "outputs": [{"name": ...}] selects which tensors come back.
  if (body.contains("outputs") && body["outputs"].is_array() && !body["outputs"].empty()) {
    std::vector<runtime::Tensor> chosen;
    for (const auto& want : body["outputs"]) {
      if (!want.is_object() || !want.contains("name") || !want["name"].is_string())
        return fail(ctx, req, make_error(ErrorCode::invalid_input, "each requested output needs a name"));
      const std::string name = want["name"].get<std::string>();
      auto it = std::find_if(outputs->begin(), outputs->end(), [&](const auto& t) { return t.name == name; });
      if (it == outputs->end())
        return fail(ctx, req, make_error(ErrorCode::invalid_input, "the model has no output '" + name.substr(0, 64) + "'"));
      chosen.push_back(std::move(*it));
    }
    *outputs = std::move(chosen);
  }
  json reply = {{"model_name", model->name},
                {"model_version", model->version},
                {"outputs", runtime::tensors_to_kserve(*outputs)}};
  if (body.contains("id") && body["id"].is_string()) reply["id"] = body["id"];
  return Response::json(reply);
}

Response ready(AppContext& ctx, Request& req) {
  auto model = find_model(ctx, req);
  if (!model.is_ok()) return fail(ctx, req, model.status());
  // Ready means "can answer now": a model not yet loaded is loaded here, so
  // remote clients probing readiness see load failures at once.
  auto handle = ctx.models->acquire(model->spec);
  if (!handle.is_ok())
    return Response::error(make_error(ErrorCode::model_not_ready, "model " + model->spec.key + " is not ready",
                                      {{"name", model->name}, {"version", model->version}, {"ready", false},
                                       {"reason", std::string(error_code_name(handle.status().code()))}}));
  return Response::json({{"name", model->name}, {"version", model->version}, {"ready", true}});
}

json tensor_meta_schema() {
  return {{"type", "array"},
          {"items", schema_object({{"name", schema_string()},
                                   {"datatype", schema_string("FP32 or INT64")},
                                   {"shape", {{"type", "array"}, {"items", {{"type", "integer"}}}}}})}};
}

json tensor_data_schema() {
  return {{"type", "array"},
          {"items", schema_object({{"name", schema_string()},
                                   {"datatype", schema_string("FP32, FP64, INT64, INT32, INT16, INT8, UINT8, BOOL")},
                                   {"shape", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
                                   {"data", {{"type", "array"}, {"description", "row-major values, flat or nested"}}}},
                                  {"name", "datatype", "shape", "data"})}};
}

void add_model_routes(Router& router, AppContext& ctx, const std::string& base, const std::string& id_suffix,
                      const std::string& what) {
  router.add({.method = Method::get,
              .pattern = base,
              .operation_id = "getKServeModelMetadata" + id_suffix,
              .summary = "KServe v2 model metadata" + what,
              .description = "Name, versions, platform and declared input/output tensors of a model the caller "
                             "may use.",
              .tags = {"kserve"},
              .responses = {{200, "metadata",
                             schema_object({{"name", schema_string()},
                                            {"versions", {{"type", "array"}, {"items", schema_string()}}},
                                            {"platform", schema_string()},
                                            {"inputs", tensor_meta_schema()},
                                            {"outputs", tensor_meta_schema()}})},
                            error_doc(404, "no such model, or not visible to the caller")}},
             [&ctx](Request& req) {
               auto model = find_model(ctx, req);
               if (!model.is_ok()) return fail(ctx, req, model.status());
               return Response::json(model_metadata(ctx, req, *model));
             });
  router.add({.method = Method::get,
              .pattern = base + "/ready",
              .operation_id = "getKServeModelReady" + id_suffix,
              .summary = "KServe v2 model readiness" + what,
              .description = "200 when the model is loaded (loading it now if needed), 503 model_not_ready with "
                             "the reason code when it cannot be loaded.",
              .tags = {"kserve"},
              .responses = {{200, "ready", schema_object({{"name", schema_string()}, {"ready", {{"type", "boolean"}}}})},
                            error_doc(503, "the model cannot be loaded"),
                            error_doc(404, "no such model, or not visible to the caller")}},
             [&ctx](Request& req) { return ready(ctx, req); });
  router.add({.method = Method::post,
              .pattern = base + "/infer",
              .operation_id = "postKServeInfer" + id_suffix,
              .summary = "KServe v2 inference" + what,
              .description = "Runs the model on the JSON tensors of the request (KServe v2 / Open Inference "
                             "protocol) and returns its output tensors. Optional \"outputs\" selects outputs by "
                             "name; \"id\" is echoed.",
              .tags = {"kserve"},
              .request_schema = schema_object({{"id", schema_string()},
                                               {"inputs", tensor_data_schema()},
                                               {"outputs", {{"type", "array"}, {"items", schema_object({{"name", schema_string()}})}}}},
                                              {"inputs"}),
              .responses = {{200, "outputs",
                             schema_object({{"model_name", schema_string()},
                                            {"model_version", schema_string()},
                                            {"id", schema_string()},
                                            {"outputs", tensor_data_schema()}})},
                            error_doc(400, "invalid_input: tensor count, name, type or shape not accepted"),
                            error_doc(404, "no such model, or not visible to the caller"),
                            error_doc(422, "model_load_failed: the model artifact cannot be loaded"),
                            error_doc(500, "inference_failed: the model raised an error")}},
             [&ctx](Request& req) { return infer(ctx, req); });
}

}  // namespace

void register_kserve_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/v2/health/live",
              .operation_id = "getKServeLive",
              .summary = "KServe v2 server liveness",
              .description = "200 while the server answers. Public, like /healthz.",
              .tags = {"kserve"},
              .auth = Auth::none,
              .responses = {{200, "live", schema_object({{"live", {{"type", "boolean"}}}})}},
              .run_inline = true},
             [](Request&) { return Response::json({{"live", true}}); });
  router.add({.method = Method::get,
              .pattern = "/v2/health/ready",
              .operation_id = "getKServeReady",
              .summary = "KServe v2 server readiness",
              .description = "200 when the server can serve models (catalog answers, model serving configured). "
                             "Public, like /readyz.",
              .tags = {"kserve"},
              .auth = Auth::none,
              .responses = {{200, "ready", schema_object({{"ready", {{"type", "boolean"}}}})},
                            error_doc(503, "not ready")}},
             [&ctx](Request&) {
               const bool ok = ctx.models && ctx.model_directory && ctx.data->catalog->ping().is_ok();
               if (!ok) return Response::error(make_error(ErrorCode::unavailable, "not ready", {{"ready", false}}));
               return Response::json({{"ready", true}});
             });
  router.add({.method = Method::get,
              .pattern = "/v2",
              .operation_id = "getKServeServerMetadata",
              .summary = "KServe v2 server metadata",
              .description = "Server name, version and protocol extensions. Public.",
              .tags = {"kserve"},
              .auth = Auth::none,
              .responses = {{200, "metadata", schema_object({{"name", schema_string()},
                                                             {"version", schema_string()},
                                                             {"extensions", {{"type", "array"}}}})}},
              .run_inline = true},
             [&ctx](Request&) {
               return Response::json({{"name", "medai"}, {"version", ctx.version}, {"extensions", json::array()}});
             });
  add_model_routes(router, ctx, "/v2/models/{name}", "", "");
  add_model_routes(router, ctx, "/v2/models/{name}/versions/{version}", "Version", " (one version)");
}

}  // namespace medai::http::routes

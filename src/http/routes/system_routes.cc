// Health, readiness, metrics, version and the OpenAPI document.
#include <unistd.h>

#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {

void register_system_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/healthz",
              .operation_id = "getHealth",
              .summary = "Liveness probe",
              .description = "Answers 200 while the process serves HTTP. Public; touches no storage.",
              .tags = {"system"},
              .auth = Auth::none,
              .responses = {{200, "alive", schema_object({{"status", schema_string()}})}},
              .run_inline = true},
             [](Request&) {
               static const std::string body = R"({"status":"ok"})";
               Response r = Response::text(body, "application/json");
               return r;
             });

  router.add({.method = Method::get,
              .pattern = "/readyz",
              .operation_id = "getReadiness",
              .summary = "Readiness probe",
              .description = "Answers 200 when the catalog answers and the blob store is writable, "
                             "503 with the failing check otherwise. Public.",
              .tags = {"system"},
              .auth = Auth::none,
              .responses = {{200, "ready", schema_object({{"status", schema_string()}, {"checks", {{"type", "object"}}}})},
                            error_doc(503, "a dependency is not ready")}},
             [&ctx](Request&) {
               json checks = json::object();
               Status catalog = ctx.data->catalog->ping();
               checks["catalog"] = catalog.is_ok() ? "ok" : catalog.to_string();
               const bool blobs_ok = ::access(ctx.data->blobs->root().c_str(), W_OK) == 0;
               checks["blob_store"] = blobs_ok ? "ok" : "not writable";
               if (!catalog.is_ok() || !blobs_ok)
                 return Response::error(make_error(ErrorCode::unavailable, "not ready", {{"checks", checks}}));
               return Response::json({{"status", "ready"}, {"checks", checks}});
             });

  router.add({.method = Method::get,
              .pattern = "/metrics",
              .operation_id = "getMetrics",
              .summary = "Prometheus metrics",
              .description = "Request counts and latency histograms per route in the Prometheus text "
                             "format. Public on the loopback default; put it behind the proxy's "
                             "access rules when exposing the server.",
              .tags = {"system"},
              .auth = Auth::none,
              .responses = {{200, "Prometheus text exposition format 0.0.4"}},
              .run_inline = true},
             [&ctx](Request&) {
               return Response::text(ctx.metrics ? ctx.metrics->render_prometheus() : "",
                                     "text/plain; version=0.0.4; charset=utf-8");
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/version",
              .operation_id = "getVersion",
              .summary = "Server version",
              .description = "The medai version and the catalog dialect. Public.",
              .tags = {"system"},
              .auth = Auth::none,
              .responses = {{200, "version", schema_object({{"version", schema_string()}, {"catalog", schema_string()}})}},
              .run_inline = true},
             [&ctx](Request&) {
               return Response::json({{"version", ctx.version}, {"catalog", std::string(ctx.data->catalog->dialect())}});
             });

  // Built lazily on first request: every route is registered by then.
  router.add({.method = Method::get,
              .pattern = "/api/v1/openapi.json",
              .operation_id = "getOpenApi",
              .summary = "OpenAPI document",
              .description = "The OpenAPI 3.0 description of this API, generated from the routes "
                             "themselves. Public.",
              .tags = {"system"},
              .auth = Auth::none,
              .responses = {{200, "OpenAPI 3.0 document"}}},
             [&router, &ctx](Request&) {
               static const std::string doc = build_openapi(router, ctx.version).dump(2);
               Response r = Response::text(doc, "application/json");
               return r;
             });
}

}  // namespace medai::http::routes

// Synchronous inference for tabular-advice apps: POST /api/v1/apps/{name}/infer
// with one patient (our JSON, or a FHIR R4 Bundle with Content-Type
// application/fhir+json) returns the advice at once (JSON, or a FHIR Bundle
// when the caller accepts application/fhir+json). The same checks as an
// app.run job: the caller is a clinician (doctor, institution admin) or a
// platform admin, and the version is visible to, approved at and not
// withdrawn for the caller's institution (AppCatalog::resolve_runnable);
// each answered call is metered like one job (AppUsage).
// Imaging apps are refused here: they run as app.run jobs.
#include <chrono>

#include "apps/package_cache.h"
#include "core/clock.h"
#include "diabetes/diabetes_app.h"
#include "diabetes/fhir_output.h"
#include "http/routes/common.h"
#include "http/routes/app_infer_routes.h"

namespace medai::http::routes {
namespace {

bool starts_with_ci(std::string value, std::string_view prefix) {
  for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value.rfind(prefix, 0) == 0;
}

// What the route keeps between calls: the loaded rule sets (the unpacked
// packages are the server's, shared with app runs and /v2).
struct InferState {
  diabetes::DiabetesAppCache apps;
};

Response infer(AppContext& ctx, InferState& state, Request& req) {
  const access::Principal& who = *req.principal;
  if (!who.has_role(access::Role::doctor) && !who.has_role(access::Role::institution_admin) && !who.is_platform_admin())
    return fail(ctx, req, make_error(ErrorCode::forbidden, "only clinicians and administrators may run apps"));
  if (!ctx.apps || !ctx.models || !ctx.packages)
    return fail(ctx, req, make_error(ErrorCode::not_implemented, "apps are not configured on this server"));

  const std::string content_type = req.header("Content-Type");
  diabetes::InputFormat format = diabetes::InputFormat::json;
  if (starts_with_ci(content_type, "application/fhir+json")) format = diabetes::InputFormat::fhir;
  else if (!content_type.empty() && !starts_with_ci(content_type, "application/json"))
    return fail(ctx, req, make_error(ErrorCode::unsupported_media_type,
                                     "send application/json (patient) or application/fhir+json (FHIR R4 Bundle)"));
  const bool want_fhir = req.header("Accept").find("application/fhir+json") != std::string::npos;

  const std::string name = req.param("name");
  const std::string version = req.query_param("version").value_or("");
  auto app = ctx.apps->resolve_runnable(who.institution_id, name, version);
  if (!app) return fail(ctx, req, app.status());
  if (!diabetes::is_rules_app(app->manifest))
    return fail(ctx, req, make_error(ErrorCode::unprocessable,
                                     "app '" + name.substr(0, 64) + "' is not a tabular-advice app; imaging apps run as "
                                     "app.run jobs (POST /api/v1/jobs)"));
  const auto started = std::chrono::steady_clock::now();
  auto dir = ctx.packages->unpacked(*app);
  if (!dir) return fail(ctx, req, dir.status());
  auto loaded = state.apps.get(*dir, app->manifest, app->digest);
  if (!loaded) return fail(ctx, req, loaded.status());
  const int threads = static_cast<int>(std::max<std::int64_t>(1, ctx.config.runtime.threads));
  auto model = ctx.models->acquire(apps::model_spec_of(*app, *dir, threads));
  if (!model) return fail(ctx, req, model.status());
  const std::string today = iso8601_utc(now_ms()).substr(0, 10);
  auto advice = diabetes::run_advice(**loaded, model->get(), req.body, format, today);
  if (!advice) return fail(ctx, req, advice.status());
  const auto compute_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (ctx.app_usage)
    if (Status s = ctx.app_usage->record_job_usage("", app->app_name, app->version, who.institution_id, compute_ms, now_ms());
        !s)
      return fail(ctx, req, s);
  if (want_fhir) {
    Response r = Response::json(diabetes::advice_to_fhir(advice->advice, advice->subject_reference));
    r.headers.erase("Content-Type");
    return r.header("Content-Type", "application/fhir+json");
  }
  return Response::json(advice->advice);
}

}  // namespace

void register_app_infer_routes(Router& router, AppContext& ctx) {
  auto state = std::make_shared<InferState>();
  router.add({.method = Method::post,
              .pattern = "/api/v1/apps/{name}/infer",
              .operation_id = "inferApp",
              .summary = "Run a tabular-advice app on one patient (synchronous)",
              .description =
                  "Body: the patient as JSON (docs/schemas/diabetes-input.schema.json) or, with Content-Type "
                  "application/fhir+json, a FHIR R4 Bundle (Patient, Observation, Condition, MedicationStatement). "
                  "`?version=` picks a version; default the highest version approved at the caller's institution. "
                  "Answers the advice (medai.diabetes-advice/1), or a FHIR R4 Bundle (RequestGroup, Goal, "
                  "RiskAssessment) with Accept: application/fhir+json. Doctors, institution admins and platform "
                  "admins; the version must be visible to and approved at the caller's institution. Each answer is "
                  "metered as one job in the app's usage.",
              .tags = {"apps"},
              .request_schema = {{"type", "object"}, {"description", "patient JSON or FHIR R4 Bundle"}},
              .parameters = {query_parameter("version", "SemVer of the app version (default: highest approved)")},
              .responses = {{200, "the advice (JSON or FHIR Bundle)", {{"type", "object"}}},
                            error_doc(400, "malformed_json: the body is not JSON"),
                            error_doc(403, "not a clinician, or the version is not approved here / withdrawn"),
                            error_doc(404, "no such app, or not visible to the caller's institution"),
                            error_doc(415, "neither application/json nor application/fhir+json"),
                            error_doc(422, "invalid_patient_input: detail.problems lists {field, code, message}; "
                                           "or the app is not a tabular-advice app")},
              .max_body_bytes = 1 << 20},
             [&ctx, state](Request& req) { return infer(ctx, *state, req); });
}

}  // namespace medai::http::routes

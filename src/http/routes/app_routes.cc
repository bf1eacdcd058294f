// AI apps: publishing signed packages, the catalog each caller may see,
// version status, visibility and per-institution approvals. Every rule lives
// in packages::AppCatalog (which audits each change); this file adapts HTTP.
#include "core/files.h"
#include "evaluation/report_html.h"
#include "http/multipart.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "training/evaluation_service.h"
#include "packages/app_catalog.h"
#include "packages/app_usage.h"
#include "packages/manifest.h"

namespace medai::http::routes {
namespace {

json version_schema() {
  return {{"type", "object"},
          {"properties",
           {{"name", schema_string()},
            {"version", schema_string("SemVer 2.0.0")},
            {"digest", schema_string("sha256:<hex of manifest.json>; carried by every output")},
            {"status", {{"type", "string"}, {"enum", {"active", "deprecated", "withdrawn"}}}},
            {"status_reason", schema_string()},
            {"approved", {{"type", "boolean"}, {"description", "approved for clinical use at the caller's institution"}}},
            {"display_name", schema_string()},
            {"task", schema_string()},
            {"research_use_only", {{"type", "boolean"}}},
            {"package_sha256", schema_string()},
            {"package_bytes", {{"type", "integer"}}},
            {"key_id", schema_string("vendor key that signed the package")},
            {"created_by", schema_string()},
            {"created_at", schema_string()},
            {"manifest", {{"type", "object"}, {"description", "manifest.json as signed (see manifest-schema)"}}}}}};
}

json app_schema() {
  return {{"type", "object"},
          {"properties",
           {{"name", schema_string()},
            {"vendor", schema_string("vendor handle (institution name)")},
            {"display_name", schema_string()},
            {"public", {{"type", "boolean"}}},
            {"shared_with", {{"type", "array"}, {"items", schema_string()}, {"description", "vendor/admin only"}}},
            {"created_at", schema_string()},
            {"versions", {{"type", "array"}, {"items", version_schema()}}}}}};
}

json reason_body_schema() { return schema_object({{"reason", schema_string("shown to institutions")}}); }
json institution_body_schema() {
  return schema_object({{"institution_id", schema_string("platform admins: the institution (default: the caller's)")}});
}

// Optional JSON object body (empty body = {}).
Result<json> optional_object_body(const Request& req) {
  if (req.body.empty()) return json::object();
  return object_body(req);
}

Response with_body_field(AppContext& ctx, Request& req, const char* field,
                         const std::function<Result<json>(const std::string&)>& action) {
  auto body = optional_object_body(req);
  if (!body) return Response::error(body.status());
  if (Status s = reject_unknown_fields(*body, {field}); !s) return Response::error(s);
  auto value = optional_string(*body, field, 2000);
  if (!value) return Response::error(value.status());
  auto result = action(value->value_or(""));
  if (!result) return fail(ctx, req, result.status());
  return Response::json(*result);
}

void add_status_route(Router& router, AppContext& ctx, const char* verb, packages::VersionStatus status,
                      const char* summary, const char* description) {
  router.add({.method = Method::post,
              .pattern = std::string("/api/v1/apps/{name}/versions/{version}/") + verb,
              .operation_id = std::string(verb) + "AppVersion",
              .summary = summary,
              .description = description,
              .tags = {"apps"},
              .request_schema = reason_body_schema(),
              .responses = {{200, "the version", version_schema()},
                            error_doc(403, "not the app's vendor"),
                            error_doc(404, "no such app or version"),
                            error_doc(409, "status cannot go back")},
              .max_body_bytes = 16 * 1024},
             [&ctx, status](Request& req) {
               return with_body_field(ctx, req, "reason", [&](const std::string& reason) -> Result<json> {
                 MEDAI_ASSIGN_OR_RETURN(auto v, ctx.apps->set_version_status(*req.principal, req.param("name"),
                                                                             req.param("version"), status, reason));
                 return packages::to_json(v);
               });
             });
}

// The evaluation an approval rests on (local validation): one the approving
// institution ran, of exactly this version, that has its report.
Status check_validating_evaluation(AppContext& ctx, const access::Principal& who, const std::string& evaluation_id,
                                   const std::string& name, const std::string& version,
                                   const std::string& institution) {
  auto e = ctx.evaluations->get(who, evaluation_id);
  if (!e) return make_error(ErrorCode::not_found, "no such evaluation", {{"field", "evaluation_id"}});
  const json subject = e->value("subject", json::object());
  if (subject.value("kind", "") != "app_version" || subject.value("app", "") != name ||
      subject.value("version", "") != version)
    return make_error(ErrorCode::unprocessable, "the evaluation is not of this app version",
                      {{"field", "evaluation_id"}});
  const std::string target = institution.empty() ? who.institution_id : institution;
  if (e->value("institution_id", "") != target)
    return make_error(ErrorCode::unprocessable, "the evaluation was not run by the approving institution",
                      {{"field", "evaluation_id"}});
  if (e->value("state", "") != "succeeded")
    return make_error(ErrorCode::conflict, "the evaluation has no report yet",
                      {{"field", "evaluation_id"}, {"state", e->value("state", "")}});
  return Status::ok();
}

void add_approval_route(Router& router, AppContext& ctx, bool approve) {
  const char* verb = approve ? "approve" : "revoke";
  json body_schema = institution_body_schema();
  if (approve)
    body_schema["properties"]["evaluation_id"] = {
        {"type", "string"},
        {"description", "an evaluation of this version the institution ran on its own data (local validation), "
                        "kept with the approval"}};
  router.add({.method = Method::post,
              .pattern = std::string("/api/v1/apps/{name}/versions/{version}/") + verb,
              .operation_id = approve ? "approveAppVersion" : "revokeAppVersionApproval",
              .summary = approve ? "Approve a version for clinical use" : "Revoke an approval",
              .description = approve ? "Institution admins approve a visible, non-withdrawn version for their "
                                       "institution; clinicians there can then run it. Platform admins may name "
                                       "the institution. evaluation_id names the institution's own evaluation of "
                                       "this version (POST /api/v1/evaluations on its labelled data); it is kept "
                                       "with the approval and shown as approval_evaluation_id."
                                     : "Institution admins revoke their institution's approval of a version; "
                                       "it stops running there.",
              .tags = {"apps"},
              .request_schema = body_schema,
              .responses = {{200, "the version as the institution sees it", version_schema()},
                            error_doc(403, "not an admin of the institution"),
                            error_doc(404, "no such app or version (or evaluation), or not shared with the institution"),
                            error_doc(409, "version withdrawn, or the evaluation has no report yet"),
                            error_doc(422, "the evaluation is of another version or institution")},
              .max_body_bytes = 16 * 1024},
             [&ctx, approve](Request& req) {
               auto body = optional_object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = approve ? reject_unknown_fields(*body, {"institution_id", "evaluation_id"})
                                      : reject_unknown_fields(*body, {"institution_id"});
                   !s)
                 return Response::error(s);
               auto institution = optional_string(*body, "institution_id", 2000);
               auto evaluation = optional_string(*body, "evaluation_id", 64);
               if (!institution) return Response::error(institution.status());
               if (!evaluation) return Response::error(evaluation.status());
               const std::string& name = req.param("name");
               const std::string& version = req.param("version");
               const std::string target = institution->value_or("");
               const std::string evaluation_id = evaluation->value_or("");
               Status s = Status::ok();
               if (approve && !evaluation_id.empty())
                 s = check_validating_evaluation(ctx, *req.principal, evaluation_id, name, version, target);
               if (s) s = approve ? ctx.apps->approve(*req.principal, name, version, target, evaluation_id)
                                  : ctx.apps->revoke_approval(*req.principal, name, version, target);
               if (!s) return fail(ctx, req, s);
               json out = {{"name", name}, {"version", version}, {"approved", approve}};
               if (!target.empty()) out["institution"] = target;
               if (!evaluation_id.empty()) out["approval_evaluation_id"] = evaluation_id;
               return Response::json(out);
             });
}

}  // namespace

void register_app_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/apps/manifest-schema",
              .operation_id = "getAppManifestSchema",
              .summary = "JSON Schema of manifest.json",
              .description = "The JSON Schema (draft-07) every app manifest is validated against; the platform "
                             "also applies the rules listed in docs/apps.md.",
              .tags = {"apps"},
              .auth = Auth::none,
              .responses = {{200, "JSON Schema", {{"type", "object"}}}}},
             [](Request&) {
               return Response::text(std::string(packages::manifest_schema_text()), "application/schema+json");
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/apps",
              .operation_id = "publishApp",
              .summary = "Publish an app version (signed .medai package)",
              .description =
                  "Partners (vendors) upload a package built with `medai app pack` and `medai app sign`, as "
                  "application/zip or application/octet-stream. The platform checks size and archive rules, the "
                  "Ed25519 signature against the vendor's registered keys, the manifest (every problem listed), "
                  "the file hashes, runs the app once on its built-in test input, and only then lists the version. "
                  "A refused package leaves nothing behind. Versions are immutable (409 on a duplicate).",
              .tags = {"apps"},
              .request_schema = {{"x-media-type", "application/zip"}, {"type", "string"}, {"format", "binary"}},
              .responses = {{201, "published", version_schema()},
                            error_doc(400, "not a readable package (invalid_package)"),
                            error_doc(403, "not a partner"),
                            error_doc(409, "version exists, or the name belongs to another vendor"),
                            error_doc(413, "package too large (package_too_large / payload_too_large)"),
                            error_doc(415, "not application/zip or application/octet-stream"),
                            error_doc(422, "invalid_manifest, package_unsigned, package_signature_invalid, "
                                           "unknown_signing_key, package_tampered, app_check_failed")},
              .max_body_bytes = static_cast<std::size_t>(ctx.config.apps.max_package_bytes),
              .spool_body = true},
             [&ctx](Request& req) {
               const MediaType type = parse_media_type(req.header("Content-Type"));
               if (type.type != "application/zip" && type.type != "application/octet-stream" &&
                   type.type != "application/x-zip-compressed")
                 return Response::error(make_error(ErrorCode::unsupported_media_type,
                                                   "send the package as application/zip or application/octet-stream"));
               std::optional<MappedFile> mapped;
               std::string_view body = req.body;
               if (!req.body_file.empty()) {
                 auto m = MappedFile::open(req.body_file);
                 if (!m) return Response::error(m.status());
                 mapped.emplace(std::move(*m));
                 body = mapped->view();
               }
               auto v = ctx.apps->publish(*req.principal, body);
               // publish() audits refusals itself.
               if (!v) return Response::error(v.status());
               return Response::json(packages::to_json(*v), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/apps",
              .operation_id = "listApps",
              .summary = "List the apps the caller may see",
              .description = "Public apps, apps shared with the caller's institution and the caller's own (vendor) "
                             "apps; platform admins see all. Each version says whether it is approved at the "
                             "caller's institution.",
              .tags = {"apps"},
              .responses = {{200, "apps", schema_object({{"items", {{"type", "array"}, {"items", app_schema()}}},
                                                         {"total", {{"type", "integer"}}}})}}},
             [&ctx](Request& req) {
               auto list = ctx.apps->list_apps(*req.principal);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& a : *list) items.push_back(packages::to_json(a));
               return full_list_response(std::move(items));
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/apps/{name}",
              .operation_id = "getApp",
              .summary = "One app and its versions",
              .description = "Versions are ordered by SemVer precedence, highest first.",
              .tags = {"apps"},
              .responses = {{200, "the app", app_schema()}, error_doc(404, "no such app visible to the caller")}},
             [&ctx](Request& req) {
               auto app = ctx.apps->get_app(*req.principal, req.param("name"));
               if (!app) return fail(ctx, req, app.status());
               return Response::json(packages::to_json(*app));
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/apps/{name}/versions/{version}",
              .operation_id = "getAppVersion",
              .summary = "One version: manifest, digest, status",
              .description = "The signed manifest, digest, status and whether the caller's institution approved it; "
                             "for anyone who can see the app.",
              .tags = {"apps"},
              .responses = {{200, "the version", version_schema()}, error_doc(404, "no such app or version")}},
             [&ctx](Request& req) {
               auto v = ctx.apps->get_version(*req.principal, req.param("name"), req.param("version"));
               if (!v) return fail(ctx, req, v.status());
               return Response::json(packages::to_json(*v));
             });

  // The evaluation report a version carries (manifest validation.report), as
  // JSON and as its page: what an institution reads before approving.
  for (const bool html : {false, true}) {
    router.add({.method = Method::get,
                .pattern = std::string("/api/v1/apps/{name}/versions/{version}/report") + (html ? ".html" : ""),
                .operation_id = html ? "getAppVersionReportHtml" : "getAppVersionReport",
                .summary = html ? "The version's evaluation report as a page" : "The version's evaluation report",
                .description = "The medai.evaluation-report/1 document the signed package carries "
                               "(manifest validation.report; `medai train publish` attaches the training job's), "
                               "or the page the platform renders from it (never HTML from the package); for anyone "
                               "who can see the app.",
                .tags = {"apps"},
                .responses = {{200, html ? "text/html" : "medai.evaluation-report/1"},
                              error_doc(404, "no such app or version, or the package has no report")}},
               [&ctx, html](Request& req) {
                 auto v = ctx.apps->visible_runnable(*req.principal, req.param("name"), req.param("version"));
                 if (!v) return fail(ctx, req, v.status());
                 const std::string file = v->manifest.value("validation", json::object()).value("report", "");
                 if (file.empty() || !ctx.packages)
                   return Response::error(make_error(ErrorCode::not_found, "this version's package has no report"));
                 auto dir = ctx.packages->unpacked(*v);
                 if (!dir) return fail(ctx, req, dir.status());
                 auto text = read_file(*dir / file);
                 const json report = text ? json::parse(*text, nullptr, false) : json();
                 if (!report.is_object())
                   return Response::error(make_error(ErrorCode::not_found, "this version's package has no readable report"));
                 // The page is rendered here from the JSON, never served from
                 // the package: a vendor's HTML must not run on this origin.
                 if (html) return Response::text(evaluation::render_report_html(report), "text/html; charset=utf-8");
                 return Response::json(report);
               });
  }

  add_status_route(router, ctx, "deprecate", packages::VersionStatus::deprecated, "Deprecate a version",
                   "The app's vendor (or a platform admin) marks a version deprecated: it still runs where approved, "
                   "but institutions are told to move on.");
  add_status_route(router, ctx, "withdraw", packages::VersionStatus::withdrawn, "Withdraw a version",
                   "The app's vendor (or a platform admin) withdraws a version: it stops running everywhere and "
                   "cannot be approved; results already made stay. Final.");

  router.add({.method = Method::put,
              .pattern = "/api/v1/apps/{name}/visibility",
              .operation_id = "setAppVisibility",
              .summary = "Choose which institutions may see an app",
              .description = "The app's vendor (or a platform admin) makes the app public or lists the institutions "
                             "(ids or names) that may see it; the list replaces the previous one.",
              .tags = {"apps"},
              .request_schema = schema_object({{"public", {{"type", "boolean"}}},
                                               {"institutions", {{"type", "array"}, {"items", schema_string()}}}},
                                              {"public"}),
              .responses = {{200, "the app", app_schema()},
                            error_doc(403, "not the app's vendor"),
                            error_doc(404, "no such app or institution")},
              .max_body_bytes = 1024 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"public", "institutions"}); !s) return Response::error(s);
               auto is_public = optional_bool(*body, "public");
               if (!is_public) return Response::error(is_public.status());
               if (!*is_public)
                 return Response::error(make_error(ErrorCode::invalid_argument, "public is required", {{"field", "public"}}));
               std::vector<std::string> institutions;
               if (body->contains("institutions")) {
                 const json& list = (*body)["institutions"];
                 if (!list.is_array())
                   return Response::error(make_error(ErrorCode::invalid_argument, "institutions must be an array of strings"));
                 for (const auto& i : list) {
                   if (!i.is_string() || i.get<std::string>().empty() || i.get<std::string>().size() > 200)
                     return Response::error(make_error(ErrorCode::invalid_argument, "institutions must be an array of strings"));
                   institutions.push_back(i.get<std::string>());
                 }
               }
               auto app = ctx.apps->set_visibility(*req.principal, req.param("name"), **is_public, institutions);
               if (!app) return fail(ctx, req, app.status());
               return Response::json(packages::to_json(*app));
             });

  add_approval_route(router, ctx, true);
  add_approval_route(router, ctx, false);

  router.add({.method = Method::get,
              .pattern = "/api/v1/apps/{name}/usage",
              .operation_id = "getAppUsage",
              .summary = "Usage and feedback of an app per version, institution and day",
              .description = "Jobs, compute seconds and clinicians' verdicts (accepted, rejected, edited, acceptance "
                             "rate) per version, institution and UTC day. The app's vendor sees its own apps only; "
                             "platform admins see all.",
              .tags = {"apps"},
              .parameters = {query_parameter("from", "first day, YYYY-MM-DD (UTC)"),
                             query_parameter("to", "last day, YYYY-MM-DD (UTC), inclusive")},
              .responses = {{200, "usage rows", schema_object({{"items", {{"type", "array"}, {"items", {{"type", "object"}}}}}})},
                            error_doc(400, "bad day"),
                            error_doc(404, "no such app of the caller's")}},
             [&ctx](Request& req) {
               auto rows = ctx.app_usage->usage(*req.principal, req.param("name"), req.query_param("from").value_or(""),
                                                req.query_param("to").value_or(""));
               if (!rows) return fail(ctx, req, rows.status());
               json items = json::array();
               for (const auto& r : *rows) items.push_back(packages::to_json(r));
               return full_list_response(std::move(items));
             });
}

}  // namespace medai::http::routes

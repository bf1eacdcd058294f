// Routing rules of an institution: which completed series go to which app.
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "jobs/routing_rules.h"

namespace medai::http::routes {
namespace {

json match_schema() {
  json list = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return schema_object({{"modality", list},
                        {"body_part", list},
                        {"sop_class", list},
                        {"series_description_regex", schema_string("ECMAScript, case-insensitive search")},
                        {"min_instances", {{"type", "integer"}, {"minimum", 1}}},
                        {"max_slice_thickness_mm", {{"type", "number"}}},
                        {"study_has_modality", list},
                        {"study_lacks_modality", list}});
}

json action_schema() {
  return schema_object({{"job_type", schema_string("default app.run")},
                        {"app", schema_string("app name")},
                        {"version", schema_string("latest-approved (default) or a semver")},
                        {"deliver_to", {{"type", "array"},
                                        {"items", schema_string("DICOM node id")},
                                        {"maxItems", 8},
                                        {"description", "the institution's DICOM nodes the results are pushed to"}}}});
}

json rule_schema() {
  return schema_object({{"id", schema_string()},
                        {"institution_id", schema_string()},
                        {"name", schema_string()},
                        {"enabled", {{"type", "boolean"}}},
                        {"match", match_schema()},
                        {"action", action_schema()},
                        {"created_by", schema_string()},
                        {"created_at", schema_string()},
                        {"updated_at", schema_string()}});
}

json write_schema(bool create) {
  json props = {{"name", schema_string()},
                {"enabled", {{"type", "boolean"}}},
                {"match", match_schema()},
                {"action", action_schema()}};
  if (create) props["institution_id"] = schema_string("platform admins: owner institution");
  return schema_object(props, create ? std::vector<std::string>{"name", "match", "action"} : std::vector<std::string>{});
}

Result<jobs::RulePatch> patch_of(const json& body) {
  jobs::RulePatch p;
  MEDAI_ASSIGN_OR_RETURN(p.name, optional_string(body, "name", 100));
  MEDAI_ASSIGN_OR_RETURN(p.enabled, optional_bool(body, "enabled"));
  if (body.contains("match")) {
    MEDAI_ASSIGN_OR_RETURN(auto m, jobs::parse_rule_match(body["match"]));
    p.match = m;
  }
  if (body.contains("action")) {
    MEDAI_ASSIGN_OR_RETURN(auto a, jobs::parse_rule_action(body["action"]));
    p.action = a;
  }
  return p;
}

}  // namespace

void register_routing_rule_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/routing-rules",
              .operation_id = "listRoutingRules",
              .summary = "List routing rules",
              .description = "The routing rules of the caller's institution (platform admins: all). Institution "
                             "administrators only.",
              .tags = {"jobs"},
              .responses = {{200, "rules", schema_object({{"items", {{"type", "array"}, {"items", rule_schema()}}}})},
                            error_doc(403, "not an administrator")}},
             [&ctx](Request& req) {
               auto list = jobs::RoutingRules(*ctx.data->catalog).list(*req.principal);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& r : *list) items.push_back(jobs::to_json(r));
               return full_list_response(std::move(items));
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/routing-rules",
              .operation_id = "createRoutingRule",
              .summary = "Create a routing rule",
              .description = "When a series of the institution is complete (no new instance for "
                             "jobs.series_stable_seconds) and matches every given condition, the action's job is "
                             "queued once per series. Institution administrators only.",
              .tags = {"jobs"},
              .request_schema = write_schema(true),
              .responses = {{201, "created", rule_schema()},
                            error_doc(400, "invalid match or action"),
                            error_doc(403, "not an administrator of the institution"),
                            error_doc(409, "name taken")},
              .max_body_bytes = 64 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "enabled", "match", "action", "institution_id"});
                   !s)
                 return Response::error(s);
               auto name = required_string(*body, "name", 100);
               auto inst = optional_string(*body, "institution_id", 64);
               for (const Status& s : {name.status(), inst.status()})
                 if (!s) return Response::error(s);
               if (!body->contains("match") || !body->contains("action"))
                 return Response::error(make_error(ErrorCode::invalid_argument, "fields 'match' and 'action' are required"));
               auto patch = patch_of(*body);
               if (!patch) return Response::error(patch.status());
               jobs::RoutingRule rule;
               rule.name = *name;
               rule.institution_id = inst->value_or("");
               rule.enabled = patch->enabled.value_or(true);
               rule.match = *patch->match;
               rule.action = *patch->action;
               auto created = jobs::RoutingRules(*ctx.data->catalog).create(*req.principal, rule);
               if (!created) return fail(ctx, req, created.status());
               return Response::json(jobs::to_json(*created), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/routing-rules/{id}",
              .operation_id = "getRoutingRule",
              .summary = "Get a routing rule",
              .description = "One rule of the caller's institution. Institution administrators only.",
              .tags = {"jobs"},
              .responses = {{200, "the rule", rule_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto r = jobs::RoutingRules(*ctx.data->catalog).get(*req.principal, req.param("id"));
               if (!r) return fail(ctx, req, r.status());
               return Response::json(jobs::to_json(*r));
             });

  router.add({.method = Method::put,
              .pattern = "/api/v1/routing-rules/{id}",
              .operation_id = "updateRoutingRule",
              .summary = "Change a routing rule",
              .description = "Replaces the given fields (name, enabled, match, action). Series evaluated before the "
                             "change are not evaluated again unless new instances arrive.",
              .tags = {"jobs"},
              .request_schema = write_schema(false),
              .responses = {{200, "updated", rule_schema()}, error_doc(400, "invalid field"),
                            error_doc(404, "not found")},
              .max_body_bytes = 64 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "enabled", "match", "action"}); !s)
                 return Response::error(s);
               auto patch = patch_of(*body);
               if (!patch) return Response::error(patch.status());
               auto r = jobs::RoutingRules(*ctx.data->catalog).update(*req.principal, req.param("id"), *patch);
               if (!r) return fail(ctx, req, r.status());
               return Response::json(jobs::to_json(*r));
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/routing-rules/{id}",
              .operation_id = "deleteRoutingRule",
              .summary = "Delete a routing rule",
              .description = "Jobs the rule already queued are not affected.",
              .tags = {"jobs"},
              .responses = {{204, "deleted", nullptr}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               if (Status s = jobs::RoutingRules(*ctx.data->catalog).remove(*req.principal, req.param("id")); !s)
                 return fail(ctx, req, s);
               return Response::no_content();
             });
}

}  // namespace medai::http::routes

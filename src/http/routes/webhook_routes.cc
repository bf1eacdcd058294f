// Webhook subscriptions of an institution (results announced by signed POST).
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "jobs/webhooks.h"

namespace medai::http::routes {
namespace {

json webhook_schema() {
  return schema_object({{"id", schema_string()},
                        {"institution_id", schema_string()},
                        {"name", schema_string()},
                        {"url", schema_string("http(s) URL the events are POSTed to")},
                        {"events", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                        {"enabled", {{"type", "boolean"}}},
                        {"created_at", schema_string()}});
}

}  // namespace

void register_webhook_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/webhooks",
              .operation_id = "listWebhooks",
              .summary = "List webhook subscriptions",
              .description = "The caller's institution's webhooks (platform admins: all), without secrets. "
                             "Institution administrators only.",
              .tags = {"jobs"},
              .responses = {{200, "webhooks",
                             schema_object({{"items", {{"type", "array"}, {"items", webhook_schema()}}}})},
                            error_doc(403, "not an administrator")}},
             [&ctx](Request& req) {
               auto list = jobs::Webhooks(*ctx.data->catalog).list(*req.principal);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& w : *list) items.push_back(jobs::to_json(w));
               return full_list_response(std::move(items));
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/webhooks",
              .operation_id = "createWebhook",
              .summary = "Subscribe a webhook",
              .description = "Registers an http(s) URL. The answer carries the HMAC secret once (`secret`); "
                             "deliveries carry X-Medai-Signature: sha256=<hex HMAC-SHA256(body, secret)> and "
                             "X-Medai-Timestamp. Institution administrators only.",
              .tags = {"jobs"},
              .request_schema = schema_object({{"name", schema_string()},
                                               {"url", schema_string()},
                                               {"events", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                                               {"institution_id", schema_string("platform admins only")}},
                                              {"name", "url"}),
              .responses = {{201, "created; the secret is shown only here", webhook_schema()},
                            error_doc(400, "invalid name or URL"), error_doc(403, "not an administrator")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "url", "events", "institution_id"}); !s)
                 return Response::error(s);
               auto name = required_string(*body, "name", 100);
               auto url = required_string(*body, "url", 2000);
               auto inst = optional_string(*body, "institution_id", 64);
               for (const Status& s : {name.status(), url.status(), inst.status()})
                 if (!s) return Response::error(s);
               jobs::Webhook w;
               w.name = *name;
               w.url = *url;
               w.institution_id = inst->value_or("");
               if (body->contains("events")) {
                 const json& ev = (*body)["events"];
                 if (!ev.is_array() || ev.size() > 32)
                   return Response::error(make_error(ErrorCode::invalid_argument, "events must be an array of strings",
                                                     {{"field", "events"}}));
                 for (const auto& e : ev) {
                   if (!e.is_string() || e.get<std::string>().empty() || e.get<std::string>().size() > 64)
                     return Response::error(make_error(ErrorCode::invalid_argument,
                                                       "events must be an array of strings", {{"field", "events"}}));
                   w.events.push_back(e);
                 }
               }
               auto created = jobs::Webhooks(*ctx.data->catalog).create(*req.principal, w);
               if (!created) return fail(ctx, req, created.status());
               json out = jobs::to_json(created->webhook);
               out["secret"] = created->secret;
               return Response::json(out, 201);
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/webhooks/{id}",
              .operation_id = "deleteWebhook",
              .summary = "Remove a webhook subscription",
              .description = "Deliveries already queued for it fail with not_found.",
              .tags = {"jobs"},
              .responses = {{204, "removed", nullptr}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               if (Status s = jobs::Webhooks(*ctx.data->catalog).remove(*req.principal, req.param("id")); !s)
                 return fail(ctx, req, s);
               return Response::no_content();
             });
}

}  // namespace medai::http::routes

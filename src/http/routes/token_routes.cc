// API tokens, and the access audit trail.
#include "access/audit.h"
#include "core/clock.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {

void register_token_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/tokens",
              .operation_id = "listTokens",
              .summary = "List tokens and sessions of a user",
              .description = "The caller's own tokens, or with `user_id` those of a user the caller "
                             "administers. Secrets are never listed, only their prefix. The token or session "
                             "this request was authenticated with has `current: true` (every other one false).",
              .tags = {"tokens"},
              .parameters = {query_parameter("user_id", "whose tokens (default: the caller)")},
              .responses = {{200, "tokens",
                             schema_object({{"items", {{"type", "array"}, {"items", [] {
                                              json s = token_schema();
                                              s["properties"]["current"] = {
                                                  {"type", "boolean"},
                                                  {"description", "the credential of this request"}};
                                              return s;
                                            }()}}},
                                            {"total", {{"type", "integer"}}}})},
                            error_doc(404, "no such user")}},
             [&ctx](Request& req) {
               const std::string user = req.query_param("user_id").value_or(req.principal->user_id);
               auto list = ctx.tokens->list(*req.principal, user);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& t : *list) {
                 json item = access::to_json(t);
                 item["current"] = !req.principal->token_id.empty() && t.id == req.principal->token_id;
                 items.push_back(std::move(item));
               }
               return full_list_response(std::move(items));
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/tokens",
              .operation_id = "issueToken",
              .summary = "Issue an API token",
              .description = "Issues a bearer token for the caller, or with `user_id` for a user the "
                             "caller administers. The secret is in this response only; it is stored "
                             "hashed. `ttl_days` defaults to the configured lifetime and is capped.",
              .tags = {"tokens"},
              .request_schema = schema_object({{"name", schema_string("what the token is for")},
                                               {"user_id", schema_string()},
                                               {"ttl_days", {{"type", "integer"}, {"minimum", 1}}}},
                                              {"name"}),
              .responses = {{201, "issued",
                             schema_object({{"token", schema_string("the secret, shown once")},
                                            {"info", token_schema()}})},
                            error_doc(403, "not allowed")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "user_id", "ttl_days"}); !s)
                 return Response::error(s);
               auto name = required_string(*body, "name", 100);
               if (!name) return Response::error(name.status());
               auto user = optional_string(*body, "user_id", 64);
               if (!user) return Response::error(user.status());
               auto ttl = optional_int(*body, "ttl_days");
               if (!ttl) return Response::error(ttl.status());
               auto issued = ctx.tokens->issue(*req.principal, user->value_or(req.principal->user_id), *name, *ttl);
               if (!issued) return fail(ctx, req, issued.status());
               return Response::json({{"token", issued->secret}, {"info", access::to_json(issued->info)}}, 201);
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/tokens/{id}",
              .operation_id = "revokeToken",
              .summary = "Revoke a token or session",
              .description = "Revokes one of the caller's tokens, or one of a user the caller "
                             "administers. Takes effect on the next request.",
              .tags = {"tokens"},
              .responses = {{204, "revoked"}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               Status s = ctx.tokens->revoke(*req.principal, req.param("id"));
               if (!s) return fail(ctx, req, s);
               return Response::no_content();
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/audit-events",
              .operation_id = "listAuditEvents",
              .summary = "Access audit trail",
              .description = "Newest first. Platform admins see all institutions, institution admins "
                             "their own. Records log-ins (also failed ones), user, token and "
                             "institution changes, and refused requests.",
              .tags = {"audit"},
              .parameters = paging_parameters(),
              .responses = {{200, "events", paged_list_schema({{"type", "object"}})},
                            error_doc(403, "not an administrator")}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto events = access::list_audit_events(*ctx.data->catalog, *req.principal, page->limit, page->offset);
               if (!events) return fail(ctx, req, events.status());
               json items = json::array();
               for (const auto& e : *events) items.push_back(access::to_json(e));
               auto total = list_total(items.size(), *page,
                                       [&] { return access::count_audit_events(*ctx.data->catalog, *req.principal); });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), *page, *total);
             });
}

}  // namespace medai::http::routes

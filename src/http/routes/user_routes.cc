// Users and their roles.
#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {

void register_user_routes(Router& router, AppContext& ctx) {
  auto list_params = paging_parameters();
  list_params.push_back(query_parameter("institution_id", "only users of this institution (platform admins)"));
  router.add({.method = Method::get,
              .pattern = "/api/v1/users",
              .operation_id = "listUsers",
              .summary = "List users",
              .description = "Administrators only: platform admins see every institution's users, "
                             "institution admins only their own institution's.",
              .tags = {"users"},
              .parameters = list_params,
              .responses = {{200, "users",
                             paged_list_schema(user_schema())},
                            error_doc(403, "not an administrator")}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto list = ctx.directory->list_users(*req.principal, req.query_param("institution_id"), *page);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& u : *list) items.push_back(access::to_json(u));
               auto total = list_total(items.size(), *page, [&] {
                 return ctx.directory->count_users(*req.principal, req.query_param("institution_id"));
               });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), *page, *total);
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/users",
              .operation_id = "createUser",
              .summary = "Create a user",
              .description = "Administrators of the target institution (or platform admins). Without "
                             "`institution_id` the user joins the caller's institution. Without a "
                             "password the account can only use API tokens. Only platform admins may "
                             "grant the `admin` role.",
              .tags = {"users"},
              .request_schema = schema_object({{"username", schema_string()},
                                               {"display_name", schema_string()},
                                               {"institution_id", schema_string()},
                                               {"roles", roles_schema()},
                                               {"password", schema_string()}},
                                              {"username", "roles"}),
              .responses = {{201, "created", user_schema()}, error_doc(403, "not allowed"),
                            error_doc(409, "username taken")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"username", "display_name", "institution_id", "roles",
                                                            "password"});
                   !s)
                 return Response::error(s);
               access::NewUser nu;
               auto username = required_string(*body, "username", 64);
               if (!username) return Response::error(username.status());
               nu.username = *username;
               auto display = optional_string(*body, "display_name", 200);
               if (!display) return Response::error(display.status());
               nu.display_name = display->value_or("");
               auto inst = optional_string(*body, "institution_id", 64);
               if (!inst) return Response::error(inst.status());
               nu.institution_id = inst->value_or(req.principal->institution_id);
               if (!body->contains("roles"))
                 return Response::error(make_error(ErrorCode::invalid_argument, "field 'roles' is required",
                                                   {{"field", "roles"}}));
               auto roles = parse_roles(body->at("roles"));
               if (!roles) return Response::error(roles.status());
               nu.roles = *roles;
               auto password = optional_string(*body, "password", 1024);
               if (!password) return Response::error(password.status());
               nu.password = *password;
               auto user = ctx.directory->create_user(*req.principal, nu);
               if (!user) return fail(ctx, req, user.status());
               return Response::json(access::to_json(*user), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/users/{id}",
              .operation_id = "getUser",
              .summary = "Get a user",
              .description = "Oneself, or a user of an institution the caller administers; 404 otherwise.",
              .tags = {"users"},
              .responses = {{200, "the user", user_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto user = ctx.directory->get_user(*req.principal, req.param("id"));
               if (!user) return fail(ctx, req, user.status());
               return Response::json(access::to_json(*user));
             });

  router.add({.method = Method::patch,
              .pattern = "/api/v1/users/{id}",
              .operation_id = "updateUser",
              .summary = "Change a user",
              .description = "Anyone may change their own display name and password (with "
                             "`current_password`); administrators may also change roles, disable the "
                             "account (which revokes its tokens) or set a new password.",
              .tags = {"users"},
              .request_schema = schema_object({{"display_name", schema_string()},
                                               {"roles", roles_schema()},
                                               {"disabled", {{"type", "boolean"}}},
                                               {"password", schema_string()},
                                               {"current_password", schema_string()}}),
              .responses = {{200, "updated", user_schema()}, error_doc(403, "not allowed"),
                            error_doc(404, "not found")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"display_name", "roles", "disabled", "password",
                                                            "current_password"});
                   !s)
                 return Response::error(s);
               access::UserPatch patch;
               auto display = optional_string(*body, "display_name", 200);
               if (!display) return Response::error(display.status());
               patch.display_name = *display;
               if (body->contains("roles")) {
                 auto roles = parse_roles(body->at("roles"));
                 if (!roles) return Response::error(roles.status());
                 patch.roles = *roles;
               }
               auto disabled = optional_bool(*body, "disabled");
               if (!disabled) return Response::error(disabled.status());
               patch.disabled = *disabled;
               auto password = optional_string(*body, "password", 1024);
               if (!password) return Response::error(password.status());
               patch.password = *password;
               auto current = optional_string(*body, "current_password", 1024);
               if (!current) return Response::error(current.status());
               patch.current_password = *current;
               auto user = ctx.directory->update_user(*req.principal, req.param("id"), patch);
               if (!user) return fail(ctx, req, user.status());
               return Response::json(access::to_json(*user));
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/users/{id}",
              .operation_id = "deleteUser",
              .summary = "Delete a user",
              .description = "Administrators of the user's institution. Removes the account and its "
                             "tokens; the audit trail keeps its history.",
              .tags = {"users"},
              .responses = {{204, "deleted"}, error_doc(403, "not allowed"), error_doc(404, "not found")}},
             [&ctx](Request& req) {
               Status s = ctx.directory->delete_user(*req.principal, req.param("id"));
               if (!s) return fail(ctx, req, s);
               return Response::no_content();
             });
}

}  // namespace medai::http::routes

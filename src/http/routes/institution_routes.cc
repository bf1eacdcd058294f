// Institutions (tenants).
#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {

void register_institution_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/institutions",
              .operation_id = "listInstitutions",
              .summary = "List institutions",
              .description = "Platform administrators see every institution; everybody else sees only "
                             "their own.",
              .tags = {"institutions"},
              .parameters = paging_parameters(),
              .responses = {{200, "institutions",
                             paged_list_schema(institution_schema())}}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto list = ctx.directory->list_institutions(*req.principal, *page);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& i : *list) items.push_back(access::to_json(i));
               auto total = list_total(items.size(), *page,
                                       [&] { return ctx.directory->count_institutions(*req.principal); });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), *page, *total);
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/institutions",
              .operation_id = "createInstitution",
              .summary = "Create an institution",
              .description = "Platform administrators only. `name` is a unique lower-case handle.",
              .tags = {"institutions"},
              .request_schema = schema_object({{"name", schema_string()}, {"display_name", schema_string()}},
                                              {"name"}),
              .responses = {{201, "created", institution_schema()},
                            error_doc(403, "not a platform administrator"),
                            error_doc(409, "name taken")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "display_name"}); !s) return Response::error(s);
               auto name = required_string(*body, "name", 64);
               if (!name) return Response::error(name.status());
               auto display = optional_string(*body, "display_name", 200);
               if (!display) return Response::error(display.status());
               auto inst = ctx.directory->create_institution(*req.principal, {*name, display->value_or("")});
               if (!inst) return fail(ctx, req, inst.status());
               return Response::json(access::to_json(*inst), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/institutions/{id}",
              .operation_id = "getInstitution",
              .summary = "Get an institution",
              .description = "One institution; 404 when it is not the caller's (unless platform admin).",
              .tags = {"institutions"},
              .responses = {{200, "the institution", institution_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto inst = ctx.directory->get_institution(*req.principal, req.param("id"));
               if (!inst) return fail(ctx, req, inst.status());
               return Response::json(access::to_json(*inst));
             });

  router.add({.method = Method::patch,
              .pattern = "/api/v1/institutions/{id}",
              .operation_id = "updateInstitution",
              .summary = "Rename an institution",
              .description = "Changes the display name. Platform administrators, or the institution's "
                             "own administrators.",
              .tags = {"institutions"},
              .request_schema = schema_object({{"display_name", schema_string()}}, {"display_name"}),
              .responses = {{200, "updated", institution_schema()}, error_doc(403, "not allowed"),
                            error_doc(404, "not found")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"display_name"}); !s) return Response::error(s);
               auto display = required_string(*body, "display_name", 200);
               if (!display) return Response::error(display.status());
               auto inst = ctx.directory->update_institution(*req.principal, req.param("id"), *display);
               if (!inst) return fail(ctx, req, inst.status());
               return Response::json(access::to_json(*inst));
             });
}

}  // namespace medai::http::routes

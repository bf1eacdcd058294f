// Vendor signing keys: the Ed25519 public keys a vendor's packages must be
// signed with. Partners manage their own institution's keys; platform admins
// see and manage every vendor's.
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "packages/app_catalog.h"

namespace medai::http::routes {
namespace {

json vendor_key_schema() {
  return {{"type", "object"},
          {"properties",
           {{"key_id", schema_string("hex of the first 8 bytes of BLAKE2b-256(public key)")},
            {"institution_id", schema_string()},
            {"vendor", schema_string("vendor handle (institution name)")},
            {"public_key", schema_string("base64 of the 32-byte Ed25519 public key")},
            {"name", schema_string()},
            {"created_by", schema_string()},
            {"created_at", schema_string()},
            {"revoked_at", {{"type", {"string", "null"}}}}}}};
}

}  // namespace

void register_vendor_key_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::post,
              .pattern = "/api/v1/vendor-keys",
              .operation_id = "registerVendorKey",
              .summary = "Register a package signing key",
              .description = "Partners register an Ed25519 public key (from `medai app keygen`, the public_key "
                             "field of the .pub.json file) for their own institution; platform admins may name "
                             "the vendor institution.",
              .tags = {"apps"},
              .request_schema = schema_object({{"public_key", schema_string("base64, 32 bytes")},
                                               {"name", schema_string("label, e.g. release key 2026")},
                                               {"institution_id", schema_string("platform admins: the vendor")}},
                                              {"public_key", "name"}),
              .responses = {{201, "registered", vendor_key_schema()},
                            error_doc(400, "not an Ed25519 public key"),
                            error_doc(403, "not a partner"),
                            error_doc(409, "key already registered")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"public_key", "name", "institution_id"}); !s)
                 return Response::error(s);
               auto public_key = required_string(*body, "public_key", 200);
               if (!public_key) return Response::error(public_key.status());
               auto name = required_string(*body, "name", 200);
               if (!name) return Response::error(name.status());
               auto institution = optional_string(*body, "institution_id", 200);
               if (!institution) return Response::error(institution.status());
               auto key = ctx.apps->register_vendor_key(*req.principal, *public_key, *name, institution->value_or(""));
               if (!key) return fail(ctx, req, key.status());
               return Response::json(packages::to_json(*key), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/vendor-keys",
              .operation_id = "listVendorKeys",
              .summary = "List package signing keys",
              .description = "The caller's institution's keys (partners), or every vendor's (platform admins), "
                             "revoked ones included.",
              .tags = {"apps"},
              .responses = {{200, "keys", schema_object({{"items", {{"type", "array"}, {"items", vendor_key_schema()}}}})},
                            error_doc(403, "not a partner")}},
             [&ctx](Request& req) {
               auto keys = ctx.apps->list_vendor_keys(*req.principal);
               if (!keys) return fail(ctx, req, keys.status());
               json items = json::array();
               for (const auto& k : *keys) items.push_back(packages::to_json(k));
               return full_list_response(std::move(items));
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/vendor-keys/{key_id}",
              .operation_id = "revokeVendorKey",
              .summary = "Revoke a package signing key",
              .description = "New packages signed with the key are refused (unknown_signing_key); versions "
                             "already published stay.",
              .tags = {"apps"},
              .responses = {{204, "revoked"},
                            error_doc(404, "no such key of the caller's institution"),
                            error_doc(409, "already revoked")}},
             [&ctx](Request& req) {
               Status s = ctx.apps->revoke_vendor_key(*req.principal, req.param("key_id"));
               if (!s) return fail(ctx, req, s);
               return Response::no_content();
             });
}

}  // namespace medai::http::routes

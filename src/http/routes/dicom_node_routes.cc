// Remote DICOM nodes (PACS, modalities) of an institution.
#include "access/audit.h"
#include "dicom/remote_nodes.h"
#include "dimse/echo_check.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

json node_schema() {
  return schema_object({{"id", schema_string()},
                        {"institution_id", schema_string()},
                        {"name", schema_string("handle, unique in the institution")},
                        {"ae_title", schema_string("the node's AE title (unique on the platform)")},
                        {"host", schema_string("host name or IP address; callers must connect from it")},
                        {"port", {{"type", "integer"}}},
                        {"allow_store", {{"type", "boolean"}, {"description", "may send us instances"}}},
                        {"allow_query", {{"type", "boolean"}, {"description", "may query and retrieve"}}},
                        {"allow_push", {{"type", "boolean"}, {"description", "we may send to it"}}},
                        {"created_at", schema_string()},
                        {"updated_at", schema_string()}});
}

json node_write_schema(bool create) {
  json props = {{"ae_title", schema_string()},          {"host", schema_string()},
                {"port", {{"type", "integer"}}},        {"allow_store", {{"type", "boolean"}}},
                {"allow_query", {{"type", "boolean"}}}, {"allow_push", {{"type", "boolean"}}}};
  if (!create) return schema_object(props);
  props["name"] = schema_string();
  props["institution_id"] = schema_string("platform admins: owner institution");
  return schema_object(props, {"name", "ae_title", "host", "port"});
}

Result<dicom::NodePatch> patch_of(const json& body) {
  dicom::NodePatch p;
  MEDAI_ASSIGN_OR_RETURN(p.ae_title, optional_string(body, "ae_title", 16));
  MEDAI_ASSIGN_OR_RETURN(p.host, optional_string(body, "host", 253));
  MEDAI_ASSIGN_OR_RETURN(p.port, optional_int(body, "port"));
  MEDAI_ASSIGN_OR_RETURN(p.allow_store, optional_bool(body, "allow_store"));
  MEDAI_ASSIGN_OR_RETURN(p.allow_query, optional_bool(body, "allow_query"));
  MEDAI_ASSIGN_OR_RETURN(p.allow_push, optional_bool(body, "allow_push"));
  return p;
}

}  // namespace

void register_dicom_node_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/dicom-nodes",
              .operation_id = "listDicomNodes",
              .summary = "List remote DICOM nodes",
              .description = "The DICOM nodes (PACS, modalities, workstations) of the caller's institution; "
                             "platform admins see all. Administrators only.",
              .tags = {"dicom"},
              .responses = {{200, "nodes", schema_object({{"items", {{"type", "array"}, {"items", node_schema()}}},
                                                          {"total", {{"type", "integer"}}}})},
                            error_doc(403, "not an administrator")}},
             [&ctx](Request& req) {
               auto list = ctx.dicom_nodes->list(*req.principal);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& n : *list) items.push_back(dicom::to_json(n));
               return full_list_response(std::move(items));
             });

  router.add(
      {.method = Method::post,
       .pattern = "/api/v1/dicom-nodes/{id}/echo",
       .operation_id = "echoDicomNode",
       .summary = "Test a DICOM node (C-ECHO)",
       .description =
           "Connects to the node (5 s) and sends C-ECHO with our AE title as the calling AE (10 s for the "
           "association and the answer). The outcome is the answer, also when the node fails: `success`, a "
           "stable `code` (success, host_not_found, connection_refused, timeout, network_error, "
           "association_rejected, association_failed, verification_not_supported, dimse_error, dimse_failure), "
           "`dimse_status` when the node answered, a message and the time taken. Audited. Administrators of "
           "the node's institution.",
       .tags = {"dicom"},
       .responses = {{200, "the outcome of the test",
                      schema_object({{"node_id", schema_string()},
                                     {"ae_title", schema_string()},
                                     {"calling_ae_title", schema_string()},
                                     {"host", schema_string()},
                                     {"port", {{"type", "integer"}}},
                                     {"success", {{"type", "boolean"}}},
                                     {"code", schema_string("success or why not (see the description)")},
                                     {"message", schema_string()},
                                     {"dimse_status", {{"type", {"integer", "null"}}}},
                                     {"detail", {{"type", "object"}}},
                                     {"elapsed_ms", {{"type", "integer"}}}})},
                     error_doc(404, "no such node")}},
      [&ctx](Request& req) {
        auto node = ctx.dicom_nodes->get(*req.principal, req.param("id"));
        if (!node) return fail(ctx, req, node.status());
        dimse::RemoteNode peer{node->ae_title, node->host, static_cast<std::uint16_t>(node->port)};
        dimse::EchoCheckOptions options;
        options.calling_ae = ctx.config.dicom.ae_title;
        const dimse::EchoReport report = dimse::check_echo(peer, options);
        json out = dimse::to_json(report);
        out["node_id"] = node->id;
        out["ae_title"] = node->ae_title;
        out["calling_ae_title"] = options.calling_ae;
        out["host"] = node->host;
        out["port"] = node->port;
        auto ev = access::audit_event(*req.principal, "dicom_node.echo", "dicom_node", node->id,
                                      report.success ? "allowed" : "failed");
        ev.institution_id = node->institution_id;
        ev.detail = {{"code", report.code}, {"elapsed_ms", report.elapsed_ms}};
        if (report.dimse_status) ev.detail["dimse_status"] = *report.dimse_status;
        (void)access::record_audit(*ctx.data->catalog, ev);
        return Response::json(out);
      });

  router.add({.method = Method::post,
              .pattern = "/api/v1/dicom-nodes",
              .operation_id = "createDicomNode",
              .summary = "Register a remote DICOM node",
              .description = "Registers a node by AE title, host and port. Associations are accepted only from "
                             "registered nodes connecting from their host (unless the server is configured to "
                             "accept unknown callers); C-MOVE destinations and push targets must be registered.",
              .tags = {"dicom"},
              .request_schema = node_write_schema(true),
              .responses = {{201, "registered", node_schema()},
                            error_doc(400, "invalid AE title, host or port"),
                            error_doc(403, "not an administrator of the institution"),
                            error_doc(409, "name or AE title taken")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"name", "institution_id", "ae_title", "host", "port",
                                                            "allow_store", "allow_query", "allow_push"});
                   !s)
                 return Response::error(s);
               auto name = required_string(*body, "name", 64);
               auto ae = required_string(*body, "ae_title", 16);
               auto host = required_string(*body, "host", 253);
               auto institution = optional_string(*body, "institution_id", 64);
               for (const Status& s : {name.status(), ae.status(), host.status(), institution.status()})
                 if (!s) return Response::error(s);
               auto patch = patch_of(*body);
               if (!patch) return Response::error(patch.status());
               if (!patch->port)
                 return Response::error(make_error(ErrorCode::invalid_argument, "field 'port' is required",
                                                   {{"field", "port"}}));
               dicom::RemoteNodeRecord n;
               n.name = *name;
               n.ae_title = *ae;
               n.host = *host;
               n.port = *patch->port;
               n.institution_id = institution->value_or("");
               n.allow_store = patch->allow_store.value_or(true);
               n.allow_query = patch->allow_query.value_or(true);
               n.allow_push = patch->allow_push.value_or(true);
               auto created = ctx.dicom_nodes->create(*req.principal, n);
               if (!created) return fail(ctx, req, created.status());
               return Response::json(dicom::to_json(*created), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/dicom-nodes/{id}",
              .operation_id = "getDicomNode",
              .summary = "Get a remote DICOM node",
              .description = "One node of the caller's institution.",
              .tags = {"dicom"},
              .responses = {{200, "the node", node_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto n = ctx.dicom_nodes->get(*req.principal, req.param("id"));
               if (!n) return fail(ctx, req, n.status());
               return Response::json(dicom::to_json(*n));
             });

  router.add({.method = Method::patch,
              .pattern = "/api/v1/dicom-nodes/{id}",
              .operation_id = "updateDicomNode",
              .summary = "Change a remote DICOM node",
              .description = "AE title, host, port and permissions.",
              .tags = {"dicom"},
              .request_schema = node_write_schema(false),
              .responses = {{200, "updated", node_schema()}, error_doc(400, "invalid value"),
                            error_doc(404, "not found")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"ae_title", "host", "port", "allow_store", "allow_query",
                                                            "allow_push"});
                   !s)
                 return Response::error(s);
               auto patch = patch_of(*body);
               if (!patch) return Response::error(patch.status());
               auto n = ctx.dicom_nodes->update(*req.principal, req.param("id"), *patch);
               if (!n) return fail(ctx, req, n.status());
               return Response::json(dicom::to_json(*n));
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/dicom-nodes/{id}",
              .operation_id = "deleteDicomNode",
              .summary = "Remove a remote DICOM node",
              .description = "The node can no longer connect or be sent to.",
              .tags = {"dicom"},
              .responses = {{204, "removed", nullptr}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               if (Status s = ctx.dicom_nodes->remove(*req.principal, req.param("id")); !s) return fail(ctx, req, s);
               return Response::no_content();
             });
}

}  // namespace medai::http::routes

#include "http/routes/common.h"

#include "access/audit.h"

namespace medai::http::routes {

Result<std::string> required_string(const json& body, const std::string& field, std::size_t max_len) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string())
    return make_error(ErrorCode::invalid_argument, "field '" + field + "' is required and must be a string",
                      {{"field", field}});
  std::string v = it->get<std::string>();
  if (v.empty() || v.size() > max_len)
    return make_error(ErrorCode::invalid_argument,
                      "field '" + field + "' must be 1-" + std::to_string(max_len) + " characters",
                      {{"field", field}});
  return v;
}

Result<std::optional<std::string>> optional_string(const json& body, const std::string& field,
                                                   std::size_t max_len) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string())
    return make_error(ErrorCode::invalid_argument, "field '" + field + "' must be a string", {{"field", field}});
  std::string v = it->get<std::string>();
  if (v.size() > max_len)
    return make_error(ErrorCode::invalid_argument, "field '" + field + "' is too long", {{"field", field}});
  return std::optional<std::string>(v);
}

Result<std::optional<bool>> optional_bool(const json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean())
    return make_error(ErrorCode::invalid_argument, "field '" + field + "' must be true or false",
                      {{"field", field}});
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::int64_t>> optional_int(const json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer())
    return make_error(ErrorCode::invalid_argument, "field '" + field + "' must be an integer",
                      {{"field", field}});
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

Result<std::set<access::Role>> parse_roles(const json& value) {
  if (!value.is_array())
    return make_error(ErrorCode::invalid_argument, "field 'roles' must be an array of role names",
                      {{"field", "roles"}});
  std::set<access::Role> roles;
  for (const auto& v : value) {
    auto role = v.is_string() ? access::role_from_name(v.get<std::string>()) : std::nullopt;
    if (!role) {
      json names = json::array();
      for (auto r : access::all_roles()) names.push_back(std::string(access::role_name(r)));
      return make_error(ErrorCode::invalid_argument, "unknown role in 'roles'",
                        {{"field", "roles"}, {"allowed", names}});
    }
    roles.insert(*role);
  }
  return roles;
}

Status reject_unknown_fields(const json& body, std::initializer_list<const char*> allowed) {
  json unknown = json::array();
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) unknown.push_back(it.key());
  }
  if (!unknown.empty())
    return make_error(ErrorCode::invalid_argument, "unknown fields in the request body",
                      {{"unknown_fields", unknown}});
  return Status::ok();
}

Result<json> object_body(const Request& req) {
  MEDAI_ASSIGN_OR_RETURN(json body, req.json_body());
  if (!body.is_object()) return make_error(ErrorCode::invalid_argument, "the request body must be a JSON object");
  return body;
}

Result<access::Page> page_of(const Request& req) {
  access::Page page;
  MEDAI_ASSIGN_OR_RETURN(page.limit, req.int_query("limit", 100, 1, 1000));
  MEDAI_ASSIGN_OR_RETURN(page.offset, req.int_query("offset", 0, 0, 1000000000));
  return page;
}

Response fail(AppContext& ctx, const Request& req, const Status& status) {
  if (status.code() == ErrorCode::forbidden && req.principal) {
    auto ev = access::audit_event(*req.principal, std::string(method_name(req.method)) + " " + req.path,
                                  "http", "", "denied");
    (void)access::record_audit(*ctx.data->catalog, ev);
  }
  return Response::error(status);
}

json list_envelope(json items, const access::Page& page) {
  return {{"items", std::move(items)}, {"limit", page.limit}, {"offset", page.offset}};
}

Response list_response(json items, const access::Page& page, std::int64_t total) {
  json body = list_envelope(std::move(items), page);
  body["total"] = total;
  return Response::json(body).header(kTotalCountHeader, std::to_string(total));
}

Response full_list_response(json items) {
  const auto total = static_cast<std::int64_t>(items.size());
  return Response::json({{"items", std::move(items)}, {"total", total}})
      .header(kTotalCountHeader, std::to_string(total));
}

json paged_list_schema(json item) {
  return schema_object({{"items", {{"type", "array"}, {"items", std::move(item)}}},
                        {"limit", {{"type", "integer"}}},
                        {"offset", {{"type", "integer"}}},
                        {"total", {{"type", "integer"}, {"description", "items matching, on every page (also in the "
                                                                       "X-Total-Count header)"}}}});
}

json schema_string(const std::string& description) {
  json s = {{"type", "string"}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json schema_object(json properties, std::vector<std::string> required) {
  json s = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

json query_parameter(const std::string& name, const std::string& description, const std::string& type) {
  return {{"name", name}, {"in", "query"}, {"required", false}, {"description", description},
          {"schema", {{"type", type}}}};
}

std::vector<json> paging_parameters() {
  return {query_parameter("limit", "page size, 1-1000 (default 100)", "integer"),
          query_parameter("offset", "items to skip (default 0)", "integer")};
}

ResponseDoc error_doc(int status, const std::string& description) { return ResponseDoc{status, description}; }

namespace {
json time_schema() { return {{"type", "string"}, {"format", "date-time"}}; }
json nullable_time() { return {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}; }
json role_list() {
  json names = json::array();
  for (auto r : access::all_roles()) names.push_back(std::string(access::role_name(r)));
  return {{"type", "array"}, {"items", {{"type", "string"}, {"enum", names}}}};
}
}  // namespace

json institution_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema_string()}, {"name", schema_string("unique handle")},
            {"display_name", schema_string()}, {"created_at", time_schema()}}}};
}

json user_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema_string()}, {"institution_id", schema_string()}, {"username", schema_string()},
            {"display_name", schema_string()}, {"roles", role_list()}, {"disabled", {{"type", "boolean"}}},
            {"has_password", {{"type", "boolean"}}}, {"created_at", time_schema()},
            {"updated_at", time_schema()}}}};
}

json token_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema_string()}, {"user_id", schema_string()},
            {"kind", {{"type", "string"}, {"enum", {"api", "session"}}}}, {"name", schema_string()},
            {"prefix", schema_string("first characters of the secret")}, {"created_at", time_schema()},
            {"expires_at", nullable_time()}, {"revoked_at", nullable_time()}, {"last_used_at", nullable_time()}}}};
}

json roles_schema() { return role_list(); }

}  // namespace medai::http::routes

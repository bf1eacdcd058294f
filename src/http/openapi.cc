// OpenAPI 3.0.3 document generated from the routes' own RouteSpecs, so the
// published API description cannot drift from the code that serves it.
#include <cctype>
#include <set>

#include "http/router.h"

namespace medai::http {
namespace {

using nlohmann::json;

std::string openapi_method(Method m) {
  switch (m) {
    case Method::get: return "get";
    case Method::head: return "head";
    case Method::post: return "post";
    case Method::put: return "put";
    case Method::patch: return "patch";
    case Method::del: return "delete";
    case Method::options: return "options";
  }
  return "get";
}

// Turns a router pattern into an OpenAPI path ({rest*} → {rest}, since
// OpenAPI has no multi-segment parameters) and collects parameter names.
std::string openapi_path(const Route& route, std::vector<std::string>& path_params) {
  if (route.segments.empty()) return "/";
  std::string out;
  for (const std::string& seg : route.segments) {
    out += '/';
    if (!seg.empty() && seg.front() == '{') {
      std::string name = seg.substr(1, seg.size() - 2);
      if (!name.empty() && name.back() == '*') name.pop_back();
      path_params.push_back(name);
      out += '{' + name + '}';
    } else {
      out += seg;
    }
  }
  return out;
}

// "/api/v1/users/{id}" + GET → "getApiV1UsersId": only used when a route
// forgot its operation_id, so the document stays valid.
std::string fallback_operation_id(const RouteSpec& spec) {
  std::string id = openapi_method(spec.method);
  bool upper = true;
  for (char c : spec.pattern) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return id;
}

json error_schema() {
  json codes = json::array();
  for (ErrorCode code : all_error_codes()) {
    if (code == ErrorCode::ok) continue;  // never sent as an error
    codes.push_back(std::string(error_code_name(code)));
  }
  return {
      {"type", "object"},
      {"required", json::array({"error", "message"})},
      {"properties",
       {
           {"error",
            {{"type", "string"},
             {"enum", codes},
             {"description", "Stable machine-readable error code."}}},
           {"message", {{"type", "string"}, {"description", "Human-readable explanation."}}},
           {"detail", {{"nullable", true}, {"description", "Optional structured detail."}}},
       }},
  };
}

json operation(const Route& route, const std::vector<std::string>& path_params) {
  const RouteSpec& spec = route.spec;
  json op = json::object();
  op["operationId"] = spec.operation_id.empty() ? fallback_operation_id(spec) : spec.operation_id;
  if (!spec.summary.empty()) op["summary"] = spec.summary;
  if (!spec.description.empty()) op["description"] = spec.description;
  if (!spec.tags.empty()) op["tags"] = spec.tags;

  json params = json::array();
  for (const std::string& name : path_params) {
    params.push_back({{"name", name},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}}}});
  }
  for (const json& p : spec.parameters) {
    // A route may document a path parameter itself (with a better schema):
    // keep its version instead of the generated one.
    if (p.value("in", "") == "path") {
      const std::string name = p.value("name", "");
      for (auto it = params.begin(); it != params.end(); ++it) {
        if ((*it)["in"] == "path" && (*it)["name"] == name) {
          params.erase(it);
          break;
        }
      }
    }
    params.push_back(p);
  }
  if (!params.empty()) op["parameters"] = std::move(params);

  if (!spec.request_schema.is_null()) {
    // A schema may name its own media type (e.g. STOW-RS multipart bodies).
    json schema = spec.request_schema;
    std::string media_type = "application/json";
    if (schema.is_object() && schema.contains("x-media-type")) {
      media_type = schema["x-media-type"].get<std::string>();
      schema.erase("x-media-type");
    }
    op["requestBody"] = {
        {"required", true},
        {"content", {{media_type, {{"schema", schema}}}}},
    };
  }

  json responses = json::object();
  for (const ResponseDoc& r : spec.responses) {
    json doc = {{"description", r.description.empty() ? std::string("OK") : r.description}};
    if (!r.schema.is_null()) doc["content"] = {{"application/json", {{"schema", r.schema}}}};
    responses[std::to_string(r.status)] = std::move(doc);
  }
  responses["default"] = {
      {"description", "Error"},
      {"content",
       {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}},
  };
  op["responses"] = std::move(responses);

  if (spec.auth == Auth::required) {
    // Either credential works: the two objects are alternatives.
    op["security"] = json::array({{{"bearerAuth", json::array()}}, {{"cookieAuth", json::array()}}});
  } else {
    op["security"] = json::array();  // explicitly public
  }
  return op;
}

}  // namespace

nlohmann::json build_openapi(const Router& router, const std::string& version) {
  json paths = json::object();
  std::set<std::string> tags;
  for (const auto& route : router.routes()) {
    if (!route->spec.documented) continue;
    std::vector<std::string> path_params;
    const std::string path = openapi_path(*route, path_params);
    paths[path][openapi_method(route->spec.method)] = operation(*route, path_params);
    tags.insert(route->spec.tags.begin(), route->spec.tags.end());
  }

  json tag_list = json::array();
  for (const std::string& t : tags) tag_list.push_back({{"name", t}});

  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "medai API"},
        {"version", version},
        {"description", "REST API of the medai medical-AI platform."}}},
      {"paths", std::move(paths)},
      {"tags", std::move(tag_list)},
      {"components",
       {
           {"schemas", {{"Error", error_schema()}}},
           {"securitySchemes",
            {
                {"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}},
                {"cookieAuth", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "medai_session"}}},
            }},
       }},
  };
}

}  // namespace medai::http

#pragma once
// Routes: each one describes itself (method, path pattern, summary,
// description, auth, schemas, responses) so /api/v1/openapi.json is generated
// from the code. Patterns use {name} for one path segment, and a final
// {name*} for the rest of the path.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace medai::http {

enum class Auth {
  none,      // public (health, login, openapi)
  required,  // any authenticated principal; handlers check roles via access
};

struct ResponseDoc {
  int status;
  std::string description;
  nlohmann::json schema = nullptr;  // JSON Schema of the body, if JSON
};

struct RouteSpec {
  Method method = Method::get;
  std::string pattern;
  std::string operation_id;  // unique, camelCase
  std::string summary;       // one line
  std::string description;   // what it does, who may call it
  std::vector<std::string> tags;
  Auth auth = Auth::required;
  nlohmann::json request_schema = nullptr;  // JSON Schema of the body
  std::vector<nlohmann::json> parameters;   // OpenAPI parameter objects (query)
  std::vector<ResponseDoc> responses;
  // Body limit for this route in bytes; 0 = the server default.
  std::size_t max_body_bytes = 0;
  // Cheap, non-blocking handlers (health, metrics) run on the I/O thread;
  // everything else runs on the handler pool so slow work never stalls I/O.
  bool run_inline = false;
  // Included in /metrics and OpenAPI; false for the static portal fallback.
  bool documented = true;
  // Large bodies: the server streams the body to a temporary file instead of
  // memory; the handler gets Request::body_file (and body_size) while
  // Request::body stays empty. max_body_bytes still applies. The file is
  // deleted by the server once the response has been written (or the
  // exchange fails); handlers must move or copy it to keep the content.
  bool spool_body = false;
};

using Handler = std::function<Response(Request&)>;

struct Route {
  RouteSpec spec;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  std::size_t index = 0;              // position in Router::routes()
};

struct Match {
  const Route* route = nullptr;
  bool path_matched_other_method = false;  // → 405 instead of 404
};

class Router {
 public:
  // Registers a route; aborts on a duplicate (method, pattern) — a bug.
  void add(RouteSpec spec, Handler handler);
  // Finds the route for method + decoded path, filling path params.
  Match match(Method method, std::string_view path,
              std::unordered_map<std::string, std::string>& params) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Node;  // segment trie; see router.cc
  std::vector<std::unique_ptr<Route>> routes_;
  std::shared_ptr<Node> root_;  // shared_ptr: Node stays incomplete here
};

// OpenAPI 3.0 document built from the routes' own descriptions.
nlohmann::json build_openapi(const Router& router, const std::string& version);

}  // namespace medai::http

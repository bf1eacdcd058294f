#pragma once
// Transport-independent HTTP request and response as route handlers see them.
// Handlers never touch Boost.Beast: only server.cc does.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "access/principal.h"
#include "core/status.h"

namespace medai::http {

enum class Method { get, head, post, put, patch, del, options };
std::string_view method_name(Method m);  // "GET", ...
std::optional<Method> method_from_name(std::string_view name);

// Header names compare case-insensitively.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  Method method = Method::get;
  std::string target;  // raw request target, e.g. /api/v1/users?limit=10
  std::string path;    // percent-decoded path without the query
  std::multimap<std::string, std::string> query;  // percent-decoded
  Headers headers;
  std::string body;  // whole body in memory (bounded by the route's limit)
  // Routes with RouteSpec::spool_body: the body streamed to a temporary file
  // (body stays empty). Empty path when not spooled or the body is empty.
  // Owned by the server: deleted after the response has been written, so a
  // handler that wants to keep it must copy it, or rename it within the same
  // file system. body_size is the number of body bytes in the file.
  std::filesystem::path body_file;
  std::uint64_t body_size = 0;
  std::unordered_map<std::string, std::string> path_params;  // from {name} segments
  std::string remote_address;
  bool tls = false;
  std::optional<access::Principal> principal;  // set when the route needs auth
  std::string request_id;                      // echoed as X-Request-Id

  std::string header(std::string_view name) const;  // "" when absent
  std::optional<std::string> query_param(std::string_view name) const;
  const std::string& param(const std::string& name) const { return path_params.at(name); }
  // Parses the body as JSON; malformed_json on failure.
  Result<nlohmann::json> json_body() const;
  // Integer query parameter with bounds; invalid_argument when malformed.
  Result<std::int64_t> int_query(std::string_view name, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) const;
};

// A body produced piece by piece (chunked transfer): called repeatedly; it
// appends to `out` and returns false when the stream is finished.
using ChunkSource = std::function<bool(std::string& out)>;

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<std::filesystem::path> file;  // stream this file as the body
  ChunkSource chunks;                         // or stream these chunks

  Response& header(std::string name, std::string value) {
    headers.emplace(std::move(name), std::move(value));
    return *this;
  }
  static Response json(const nlohmann::json& value, int status = 200);
  static Response text(std::string body, std::string content_type = "text/plain; charset=utf-8",
                       int status = 200);
  static Response error(const Status& status);
  static Response no_content();
};

}  // namespace medai::http

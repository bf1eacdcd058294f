#include "http/message.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace medai::http {
namespace {

constexpr std::array<std::pair<Method, std::string_view>, 7> kMethodNames = {{
    {Method::get, "GET"},
    {Method::head, "HEAD"},
    {Method::post, "POST"},
    {Method::put, "PUT"},
    {Method::patch, "PATCH"},
    {Method::del, "DELETE"},
    {Method::options, "OPTIONS"},
}};

constexpr unsigned char ascii_lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

}  // namespace

std::string_view method_name(Method m) {
  for (const auto& [method, name] : kMethodNames)
    if (method == m) return name;
  return "GET";  // unreachable for valid enumerators
}

std::optional<Method> method_from_name(std::string_view name) {
  // Method names are case-sensitive in HTTP (RFC 9110 §9.1).
  for (const auto& [method, n] : kMethodNames)
    if (n == name) return method;
  return std::nullopt;
}

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char ca = ascii_lower(static_cast<unsigned char>(a[i]));
    const unsigned char cb = ascii_lower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

std::string Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  // std::multimap<std::string, std::string> has no transparent comparator;
  // a linear scan avoids building a std::string key (queries are short).
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return std::nullopt;
}

Result<nlohmann::json> Request::json_body() const {
  if (body.empty()) return make_error(ErrorCode::malformed_json, "the request body is empty");
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the 1-based position where parsing stopped; the message
    // itself may quote body bytes, so only the position goes out.
    return make_error(ErrorCode::malformed_json, "the request body is not valid JSON",
                      {{"position", e.byte}});
  }
}

Result<std::int64_t> Request::int_query(std::string_view name, std::int64_t fallback,
                                        std::int64_t min, std::int64_t max) const {
  auto raw = query_param(name);
  if (!raw) return fallback;
  std::int64_t value = 0;
  const char* first = raw->data();
  const char* last = first + raw->size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (raw->empty() || ec != std::errc() || ptr != last || value < min || value > max) {
    std::string message = "query parameter '" + std::string(name) +
                          "' must be an integer between " + std::to_string(min) + " and " +
                          std::to_string(max);
    return make_error(ErrorCode::invalid_argument, std::move(message),
                      {{"parameter", std::string(name)}, {"min", min}, {"max", max}});
  }
  return value;
}

Response Response::json(const nlohmann::json& value, int status) {
  Response r;
  r.status = status;
  // replace: strings that reached the JSON from untrusted input may be
  // invalid UTF-8; serialising must not throw in the middle of a response.
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace("Content-Type", "application/json");
  return r;
}

Response Response::text(std::string body, std::string content_type, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace("Content-Type", std::move(content_type));
  return r;
}

Response Response::error(const Status& status) {
  return json(status.to_json(), status.http_status());
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

}  // namespace medai::http

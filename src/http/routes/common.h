#pragma once
// Helpers shared by the route files: body field extraction with clear
// errors, paging, JSON Schema snippets for the OpenAPI document, and the
// one way to turn a core Status into a response (auditing denials).
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "access/directory.h"
#include "http/app.h"
#include "http/message.h"
#include "http/router.h"

namespace medai::http::routes {

using nlohmann::json;

// Required string field of a JSON object body; invalid_argument naming it.
Result<std::string> required_string(const json& body, const std::string& field, std::size_t max_len = 200);
// Optional string field; invalid_argument when present with another type.
Result<std::optional<std::string>> optional_string(const json& body, const std::string& field,
                                                   std::size_t max_len = 1024);
Result<std::optional<bool>> optional_bool(const json& body, const std::string& field);
Result<std::optional<std::int64_t>> optional_int(const json& body, const std::string& field);
Result<std::set<access::Role>> parse_roles(const json& value);
// Fails when the body has a field not in `allowed` (catches typos).
Status reject_unknown_fields(const json& body, std::initializer_list<const char*> allowed);
// The body as a JSON object.
Result<json> object_body(const Request& req);

// limit (1..1000, default 100) and offset (>= 0) query parameters.
Result<access::Page> page_of(const Request& req);

// Error response; denials (forbidden) are added to the audit trail.
Response fail(AppContext& ctx, const Request& req, const Status& status);

// Paged list envelope: {"items": [...], "limit": n, "offset": n}.
json list_envelope(json items, const access::Page& page);

// Every list answer carries the number of matching items: `total` in the
// envelope and the same number in an `X-Total-Count` header (QIDO-RS, whose
// body is a bare array, has the header only).
inline constexpr const char* kTotalCountHeader = "X-Total-Count";

// The total of a paged list. The page itself tells it when it is not full
// (and not past the end): offset + items. Only a full page, or an empty one
// past the start, needs `count` (one COUNT query), so a list that fits one
// page costs nothing extra.
template <class Count>
Result<std::int64_t> list_total(std::size_t items, const access::Page& page, Count&& count) {
  const auto n = static_cast<std::int64_t>(items);
  if (n < page.limit && (n > 0 || page.offset == 0)) return page.offset + n;
  return count();
}

// {"items", "limit", "offset", "total"} + X-Total-Count.
Response list_response(json items, const access::Page& page, std::int64_t total);
// An unpaged list (every item at once): {"items", "total"} + X-Total-Count.
Response full_list_response(json items);
// The OpenAPI schema of a paged list of `item`.
json paged_list_schema(json item);

// OpenAPI helpers and the schemas of the access resources.
json institution_schema();
json user_schema();
json token_schema();
json roles_schema();
json schema_string(const std::string& description = "");
json schema_object(json properties, std::vector<std::string> required = {});
std::vector<json> paging_parameters();
json query_parameter(const std::string& name, const std::string& description, const std::string& type = "string");
ResponseDoc error_doc(int status, const std::string& description);

}  // namespace medai::http::routes

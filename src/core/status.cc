#include "core/status.h"

#include <array>
#include <vector>

namespace medai {
namespace {
struct Entry {
  ErrorCode code;
  std::string_view name;
  int http;
  std::string_view meaning;
};
constexpr Entry kEntries[] = {
#define MEDAI_ERROR(id, http, meaning) {ErrorCode::id, #id, http, meaning},
#include "core/error_codes.def"
#undef MEDAI_ERROR
};
const Entry& entry(ErrorCode code) { return kEntries[static_cast<size_t>(code)]; }
}  // namespace

std::string_view error_code_name(ErrorCode code) { return entry(code).name; }
int error_code_http_status(ErrorCode code) { return entry(code).http; }
std::string_view error_code_meaning(ErrorCode code) { return entry(code).meaning; }

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (const auto& e : kEntries)
    if (e.name == name) return e.code;
  return std::nullopt;
}

const std::vector<ErrorCode>& all_error_codes() {
  static const std::vector<ErrorCode> codes = [] {
    std::vector<ErrorCode> v;
    for (const auto& e : kEntries) v.push_back(e.code);
    return v;
  }();
  return codes;
}

nlohmann::json Status::to_json() const {
  nlohmann::json j;
  j["error"] = std::string(error_code_name(code_));
  j["message"] = message_.empty() ? std::string(error_code_meaning(code_)) : message_;
  j["detail"] = detail_;
  return j;
}

std::string Status::to_string() const {
  std::string s(error_code_name(code_));
  if (!message_.empty()) s += ": " + message_;
  return s;
}

}  // namespace medai

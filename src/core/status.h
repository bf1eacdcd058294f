#pragma once
// Status and Result<T>: the one error type at module boundaries.
// A Status carries a code from error_codes.def (which also fixes its HTTP
// status), a human message and optional JSON detail. Messages and details must
// never contain patient identifiers: they end up in logs and HTTP bodies.
#include <cassert>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace medai {

enum class ErrorCode {
#define MEDAI_ERROR(id, http, meaning) id,
#include "core/error_codes.def"
#undef MEDAI_ERROR
};

// Stable snake_case identifier, e.g. "not_found".
std::string_view error_code_name(ErrorCode code);
// HTTP status this code maps to.
int error_code_http_status(ErrorCode code);
// One-line English meaning from the catalogue.
std::string_view error_code_meaning(ErrorCode code);
// Reverse lookup of a stable identifier; nullopt when unknown.
std::optional<ErrorCode> error_code_from_name(std::string_view name);
// Every code in catalogue order (for tests and documentation).
const std::vector<ErrorCode>& all_error_codes();

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(ErrorCode code, std::string message, nlohmann::json detail = nullptr)
      : code_(code), message_(std::move(message)), detail_(std::move(detail)) {}

  static Status ok() { return Status(); }
  bool is_ok() const { return code_ == ErrorCode::ok; }
  explicit operator bool() const { return is_ok(); }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const nlohmann::json& detail() const { return detail_; }
  int http_status() const { return error_code_http_status(code_); }

  // {"error": code, "message": ..., "detail": ...}
  nlohmann::json to_json() const;
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
  nlohmann::json detail_;
};

inline Status make_error(ErrorCode code, std::string message, nlohmann::json detail = nullptr) {
  return Status(code, std::move(message), std::move(detail));
}

// Result<T>: a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).is_ok() && "Result built from an ok Status");
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status ok_status;
    return is_ok() ? ok_status : std::get<Status>(v_);
  }
  T& value() & {
    assert(is_ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace medai

#define MEDAI_CONCAT_INNER(a, b) a##b
#define MEDAI_CONCAT(a, b) MEDAI_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` (a Status) fails.
#define MEDAI_RETURN_IF_ERROR(expr)                   \
  do {                                                \
    ::medai::Status medai_status_tmp_ = (expr);       \
    if (!medai_status_tmp_.is_ok()) return medai_status_tmp_; \
  } while (0)

// Declares `lhs` from a Result-returning `expr`, returning its Status on error.
#define MEDAI_ASSIGN_OR_RETURN(lhs, expr) \
  MEDAI_ASSIGN_OR_RETURN_IMPL(MEDAI_CONCAT(medai_result_, __LINE__), lhs, expr)
#define MEDAI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.is_ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

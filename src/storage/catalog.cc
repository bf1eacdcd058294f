#include "storage/catalog.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace medai::storage {
namespace {

// Doubles outside the int64 range (or NaN) have no integer value; converting
// them would be undefined behaviour, so they count as "no value".
std::optional<std::int64_t> double_to_int(double d) {
  constexpr double kLimit = 9223372036854775808.0;  // 2^63
  if (std::isnan(d) || d >= kLimit || d < -kLimit) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

std::optional<std::int64_t> as_int(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return double_to_int(*d);
  return std::nullopt;
}

}  // namespace

// Unknown column names are programming errors (the SQL is ours), reported the
// same way as Row::at(index) out of range.
const Value& Row::at(std::string_view column) const {
  const auto& names = *columns_;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == column) return cells_.at(i);
  throw std::out_of_range("Row::at: no column named '" + std::string(column) + "'");
}

bool Row::is_null(std::string_view column) const {
  return std::holds_alternative<std::nullptr_t>(at(column));
}

std::int64_t Row::get_int(std::string_view column, std::int64_t fallback) const {
  return as_int(at(column)).value_or(fallback);
}

double Row::get_double(std::string_view column, double fallback) const {
  const Value& v = at(column);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return fallback;
}

std::string Row::get_text(std::string_view column, std::string fallback) const {
  const Value& v = at(column);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return fallback;
}

std::optional<std::int64_t> Row::get_optional_int(std::string_view column) const {
  return as_int(at(column));
}

std::optional<std::string> Row::get_optional_text(std::string_view column) const {
  const Value& v = at(column);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

Result<std::optional<Row>> Transaction::query_one(std::string_view sql, const Params& params) {
  MEDAI_ASSIGN_OR_RETURN(Rows rows, query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

}  // namespace medai::storage

#include "deid/date_shift.h"

#include <cstdint>
#include <cstdio>
#include <vector>

#include "core/crypto.h"

namespace medai::deid {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

void civil_from_days(long z, long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

unsigned days_in_month(long y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

// Shifts exactly "YYYYMMDD"; nullopt when not a valid calendar date.
std::optional<std::string> shift_yyyymmdd(std::string_view s, int days) {
  if (s.size() != 8 || !all_digits(s)) return std::nullopt;
  const long y = std::stol(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoul(std::string(s.substr(4, 2))));
  const unsigned d = static_cast<unsigned>(std::stoul(std::string(s.substr(6, 2))));
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  long ny = 0;
  unsigned nm = 0, nd = 0;
  civil_from_days(days_from_civil(y, m, d) + days, ny, nm, nd);
  if (ny < 0 || ny > 9999) return std::nullopt;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%04ld%02u%02u", ny, nm, nd);
  return std::string(buf, 8);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\0')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> shift_one_da(std::string_view v, int days) {
  v = trim_spaces(v);
  if (v.empty()) return std::string();
  if (v.size() == 10 && v[4] == '.' && v[7] == '.') {  // ACR-NEMA YYYY.MM.DD
    std::string compact =
        std::string(v.substr(0, 4)) + std::string(v.substr(5, 2)) + std::string(v.substr(8, 2));
    return shift_yyyymmdd(compact, days);
  }
  return shift_yyyymmdd(v, days);
}

}  // namespace

int DateShifter::offset_days(std::string_view patient_id) const {
  const std::string h = crypto::blake2b(patient_id, key_, 16);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(h[i]);
  return -static_cast<int>(1 + v % kMaxOffsetDays);
}

std::optional<std::string> DateShifter::shift_da(std::string_view value, int days) {
  std::string out;
  bool first_value = true;
  for (std::string_view item : split(value, '\\')) {
    if (!first_value) out += '\\';
    first_value = false;
    bool first_bound = true;
    for (std::string_view bound : split(item, '-')) {  // ranges (queries): "A-B", "-B", "A-"
      if (!first_bound) out += '-';
      first_bound = false;
      auto shifted = shift_one_da(bound, days);
      if (!shifted) return std::nullopt;
      out += *shifted;
    }
  }
  return out;
}

std::optional<std::string> DateShifter::shift_dt(std::string_view value, int days) {
  std::string out;
  bool first_value = true;
  for (std::string_view item : split(value, '\\')) {
    if (!first_value) out += '\\';
    first_value = false;
    item = trim_spaces(item);
    if (item.empty()) continue;
    if (item.size() < 8) return std::nullopt;
    auto date = shift_yyyymmdd(item.substr(0, 8), days);
    if (!date) return std::nullopt;
    out += *date;
    out += item.substr(8);
  }
  return out;
}

}  // namespace medai::deid

#include "diabetes/units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace medai::diabetes {
namespace {

// Converted values are rounded to the precision labs report in the target
// unit (HbA1c 0.1 %, glucose 0.1 mmol/L, LDL 0.01 mmol/L), so a guideline
// threshold quoted in both units (126 mg/dL = 7.0 mmol/L, 48 mmol/mol =
// 6.5 %) is met from either side.
// Divides by the inverse step so the result is the double nearest the decimal
// (70 / 10 == 7.0 exactly, while 70 * 0.1 is 7.000000000000001).
double round_to(double v, double step) {
  const double inverse = std::round(1.0 / step);
  return std::round(v * inverse) / inverse;
}

std::string normalised(std::string_view unit) {
  std::size_t b = 0, e = unit.size();
  while (b < e && std::isspace(static_cast<unsigned char>(unit[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(unit[e - 1]))) --e;
  std::string out(unit.substr(b, e - b));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool one_of(const std::string& u, std::initializer_list<std::string_view> options) {
  return std::any_of(options.begin(), options.end(), [&](std::string_view o) { return u == o; });
}

}  // namespace

std::optional<double> to_canonical(Quantity q, double value, std::string_view unit) {
  const std::string u = normalised(unit);
  switch (q) {
    case Quantity::hba1c:
      if (one_of(u, {"", "%", "percent"})) return value;
      if (one_of(u, {"mmol/mol"})) return round_to(kHba1cNgspPerIfcc * value + kHba1cNgspIntercept, 0.1);
      return std::nullopt;
    case Quantity::glucose:
      if (one_of(u, {"", "mmol/l"})) return value;
      if (one_of(u, {"mg/dl"})) return round_to(value / kGlucoseMgDlPerMmolL, 0.1);
      return std::nullopt;
    case Quantity::ldl:
      if (one_of(u, {"", "mmol/l"})) return value;
      if (one_of(u, {"mg/dl"})) return round_to(value / kLdlMgDlPerMmolL, 0.01);
      return std::nullopt;
    case Quantity::egfr:
      if (one_of(u, {"", "ml/min/1.73m2", "ml/min/{1.73_m2}", "ml/min/1.73 m2", "ml/min/1.73_m2"})) return value;
      return std::nullopt;
    case Quantity::bmi:
      if (one_of(u, {"", "kg/m2"})) return value;
      return std::nullopt;
    case Quantity::blood_pressure:
      if (one_of(u, {"", "mmhg", "mm[hg]"})) return value;
      if (one_of(u, {"kpa"})) return value * 7.50062;
      return std::nullopt;
    case Quantity::age:
      if (one_of(u, {"", "a", "years", "year"})) return value;
      return std::nullopt;
    case Quantity::length_mm:
      if (one_of(u, {"", "mm"})) return value;
      if (one_of(u, {"cm"})) return value * 10.0;
      return std::nullopt;
    case Quantity::count:
    case Quantity::ratio:
      if (one_of(u, {"", "1", "{count}"})) return value;
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view canonical_unit(Quantity q) {
  switch (q) {
    case Quantity::hba1c: return "%";
    case Quantity::glucose:
    case Quantity::ldl: return "mmol/L";
    case Quantity::egfr: return "mL/min/1.73m2";
    case Quantity::bmi: return "kg/m2";
    case Quantity::blood_pressure: return "mm[Hg]";
    case Quantity::age: return "a";
    case Quantity::length_mm: return "mm";
    case Quantity::count:
    case Quantity::ratio: return "1";
  }
  return "";
}

std::string_view accepted_units(Quantity q) {
  switch (q) {
    case Quantity::hba1c: return "%, mmol/mol";
    case Quantity::glucose:
    case Quantity::ldl: return "mmol/L, mg/dL";
    case Quantity::egfr: return "mL/min/1.73m2 (UCUM mL/min/{1.73_m2})";
    case Quantity::bmi: return "kg/m2";
    case Quantity::blood_pressure: return "mm[Hg], mmHg, kPa";
    case Quantity::age: return "a (years)";
    case Quantity::length_mm: return "mm, cm";
    case Quantity::count:
    case Quantity::ratio: return "1 (dimensionless)";
  }
  return "";
}

}  // namespace medai::diabetes

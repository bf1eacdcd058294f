#pragma once
// Retain Longitudinal Temporal Information with Modified Dates: every date of
// one patient moves by the same whole number of days, so intervals between
// studies survive while calendar dates do not. The offset comes from keyed
// BLAKE2b of the original Patient ID: deterministic (re-exports line up) and
// unguessable without the institution key.
#include <optional>
#include <string>
#include <string_view>

namespace medai::deid {

class DateShifter {
 public:
  // Offsets lie in [-kMaxOffsetDays, -1]: dates always move into the past.
  static constexpr int kMaxOffsetDays = 3650;

  explicit DateShifter(std::string date_key) : key_(std::move(date_key)) {}
  int offset_days(std::string_view patient_id) const;

  // DA: YYYYMMDD (also the ACR-NEMA YYYY.MM.DD form), ranges "A-B" and
  // multi-values "A\B". nullopt when a value is not a valid date.
  static std::optional<std::string> shift_da(std::string_view value, int days);
  // DT: YYYYMMDD[HHMMSS[.F]][&ZZXX]: the date part moves, time and UTC offset
  // are kept. Year-only or year-month values (no day) cannot move by days:
  // nullopt. Multi-values "A\B" are shifted one by one.
  static std::optional<std::string> shift_dt(std::string_view value, int days);

 private:
  std::string key_;
};

}  // namespace medai::deid

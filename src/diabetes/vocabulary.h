#pragma once
// The words a rule set may use: the patient facts its conditions test (with
// their types) and the actions its effects name. A rule set naming anything
// else is refused when it loads, so a typo cannot silently disable a rule.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "diabetes/patient_record.h"

namespace medai::diabetes {

enum class FieldType { number, boolean, text };
using Value = std::variant<double, bool, std::string>;
// A fact absent from the map is unknown (not measured).
using Facts = std::map<std::string, Value, std::less<>>;

struct FieldInfo {
  FieldType type;
  std::string_view description;
  bool derived_from_target = false;  // only known after the HbA1c target is chosen
};
const std::map<std::string, FieldInfo, std::less<>>& known_fields();

struct ActionInfo {
  std::string_view id;
  std::string_view title;
};
// In tie-break order (safety first, then first-line, then add-ons).
const std::vector<ActionInfo>& known_actions();
std::optional<ActionInfo> find_action(std::string_view id);
int action_order(std::string_view id);  // position in known_actions(), large when unknown

// The facts of a record: measurements only when present, flags always,
// on_<class> for every drug class, drug_count; risk_probability when given.
Facts facts_of(const PatientRecord& record, std::optional<double> risk_probability = std::nullopt);

}  // namespace medai::diabetes

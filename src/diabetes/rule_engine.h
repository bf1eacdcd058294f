#pragma once
// Guideline rules as data (format "medai.rules/1", see docs/diabetes-advice.md)
// and the small evaluator of their conditions.
//
// Condition forms (JSON):
//   {"all": [c, ...]}  {"any": [c, ...]}  {"not": c}  {"always": true}
//   {"field": F, OP: operand}   one operator per leaf, OP one of
//     lt le gt ge (numbers), eq ne (same type as the field), in (array),
//     missing (true: the fact is unknown; false: it is known)
// Missing facts make a comparison *unknown* and the connectives follow
// Kleene's three-valued logic (all: false beats unknown beats true; any: true
// beats unknown beats false; not: unknown stays unknown). A rule fires only
// when its condition is true, so a missing eGFR can never satisfy "eGFR ≥ 45"
// nor, through "not", "eGFR < 45".
//
// Loading refuses (invalid_rule_set, every problem listed): unknown fields,
// operators or actions, operands of the wrong type, duplicate ids, rules
// without source, target-phase rules that use target-derived fields.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "diabetes/vocabulary.h"

namespace medai::diabetes {

enum class Truth { no, yes, unknown };

struct Condition {
  enum class Kind { all, any, negate, always, leaf };
  Kind kind = Kind::always;
  std::vector<Condition> children;  // all / any / negate (one child)
  std::string field;
  std::string op;              // lt le gt ge eq ne in missing
  std::vector<Value> operands;  // one, or several for "in"
};

struct RuleSource {
  std::string guideline;
  std::string section;
  std::string version;
};

struct Effect {
  std::string type;                  // target | recommend | contraindicate | caution
  std::vector<std::string> actions;  // recommend: one; contraindicate/caution: one or more (caution: may be none)
  double weight = 0;                 // recommend: adds to the action's score
  double hba1c_below = 0;            // target: the HbA1c target (%)
  int priority = 0;                  // target: the highest-priority fired target wins
};

struct Rule {
  std::string id;
  std::string text;
  RuleSource source;
  Condition when;
  Effect effect;
  nlohmann::json when_json;  // as written, for the output
};

struct RuleSet {
  std::string name;
  std::string version;
  std::vector<Rule> rules;
};

Result<RuleSet> load_rule_set(const nlohmann::json& document);

Truth evaluate(const Condition& condition, const Facts& facts);

nlohmann::json rule_reference(const Rule& rule);  // {id, text, source{guideline, section, version}}

}  // namespace medai::diabetes

// The rule-set loader refuses what would silently disable or corrupt a rule
// (unknown fields, operators, actions; wrong operand types; duplicates;
// missing sources), and the evaluator's three-valued logic never lets a
// missing value satisfy a condition.
#include <gtest/gtest.h>

#include <fstream>

#include "diabetes/rule_engine.h"
#include "diabetes/units.h"

namespace medai::diabetes {
namespace {

using nlohmann::json;

json rule(json when, json effect = {{"type", "recommend"}, {"action", "add_metformin"}, {"weight", 1}},
          std::string id = "r1") {
  return {{"id", id}, {"text", "t"}, {"source", {{"guideline", "g"}, {"section", "s"}, {"version", "v"}}},
          {"when", when}, {"effect", effect}};
}

json rule_set(json rules) {
  return {{"format", "medai.rules/1"}, {"name", "test"}, {"version", "1"}, {"rules", rules}};
}

std::vector<std::string> problem_paths(const json& document) {
  auto loaded = load_rule_set(document);
  std::vector<std::string> out;
  if (loaded.is_ok()) return out;
  EXPECT_EQ(loaded.status().code(), ErrorCode::invalid_rule_set);
  for (const auto& p : loaded.status().detail()["problems"]) out.push_back(p["path"]);
  return out;
}

TEST(RuleSet, ShippedRuleSetLoads) {
  std::ifstream in(std::string(MEDAI_SOURCE_DIR) + "/apps/diabetes-advice/rules/rules.json");
  auto loaded = load_rule_set(json::parse(in));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_GE(loaded->rules.size(), 50u);
  for (const auto& r : loaded->rules) {
    EXPECT_TRUE(r.source.guideline == "ADA Standards of Care in Diabetes—2025" ||
                r.source.guideline == "CDS Guideline for T2DM in China (2020 ed.)")
        << r.id;
  }
}

TEST(RuleSet, RefusesUnknownFieldsOperatorsActionsAndEffects) {
  EXPECT_EQ(problem_paths(rule_set({rule({{"field", "egrf"}, {"lt", 30}})})), std::vector<std::string>{"/rules/0/when/field"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"field", "egfr"}, {"below", 30}})})), std::vector<std::string>{"/rules/0/when/below"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"always", true}}, {{"type", "recommend"}, {"action", "add_aspirin"}, {"weight", 1}})})),
            std::vector<std::string>{"/rules/0/effect"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"always", true}}, {{"type", "prescribe"}})})),
            std::vector<std::string>{"/rules/0/effect/type"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"sometimes", true}})})), std::vector<std::string>{"/rules/0/when"});
}

TEST(RuleSet, RefusesWrongOperandTypesAndShapes) {
  EXPECT_EQ(problem_paths(rule_set({rule({{"field", "ascvd"}, {"lt", 3}})})), std::vector<std::string>{"/rules/0/when/lt"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"field", "egfr"}, {"eq", "high"}})})), std::vector<std::string>{"/rules/0/when/eq"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"field", "egfr"}, {"lt", 30}, {"gt", 10}})})), std::vector<std::string>{"/rules/0/when"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"all", json::array()}})})), std::vector<std::string>{"/rules/0/when"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"all", {{{"field", "egfr"}, {"lt", "x"}}}}})})),
            std::vector<std::string>{"/rules/0/when/all/0/lt"});
}

TEST(RuleSet, RefusesDuplicatesMissingSourcesAndTargetFieldsInTargetRules) {
  EXPECT_EQ(problem_paths(rule_set({rule({{"always", true}}), rule({{"always", true}})})), std::vector<std::string>{"/rules/1/id"});
  json no_source = rule({{"always", true}});
  no_source.erase("source");
  EXPECT_EQ(problem_paths(rule_set({no_source})), std::vector<std::string>{"/rules/0/source"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"field", "hba1c_above_target"}, {"gt", 0}},
                                         {{"type", "target"}, {"hba1c_below", 7.0}, {"priority", 1}})})),
            std::vector<std::string>{"/rules/0/when/field"});
  EXPECT_EQ(problem_paths(rule_set({rule({{"always", true}}, {{"type", "target"}, {"hba1c_below", 40}, {"priority", 1}})})),
            std::vector<std::string>{"/rules/0/effect/hba1c_below"});
  EXPECT_FALSE(load_rule_set(json{{"format", "other"}}).is_ok());
}

Condition condition_of(json when) {
  auto loaded = load_rule_set(rule_set({rule(when)}));
  EXPECT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  return loaded->rules.at(0).when;
}

TEST(RuleEngine, MissingValuesAreUnknownNotFalse) {
  const Facts none = {};
  const Facts low = {{"egfr", 25.0}};
  const auto lt45 = condition_of({{"field", "egfr"}, {"lt", 45}});
  const auto not_lt45 = condition_of({{"not", {{"field", "egfr"}, {"lt", 45}}}});
  EXPECT_EQ(evaluate(lt45, none), Truth::unknown);
  EXPECT_EQ(evaluate(not_lt45, none), Truth::unknown);  // so "not < 45" cannot mean "≥ 45" for a missing eGFR
  EXPECT_EQ(evaluate(lt45, low), Truth::yes);
  EXPECT_EQ(evaluate(not_lt45, low), Truth::no);
  const auto missing = condition_of({{"field", "egfr"}, {"missing", true}});
  EXPECT_EQ(evaluate(missing, none), Truth::yes);
  EXPECT_EQ(evaluate(missing, low), Truth::no);
  // all: false beats unknown; any: true beats unknown.
  const Facts only_ascvd = {{"ascvd", false}};
  EXPECT_EQ(evaluate(condition_of({{"all", {{{"field", "ascvd"}, {"eq", true}}, {{"field", "egfr"}, {"ge", 20}}}}}), only_ascvd), Truth::no);
  EXPECT_EQ(evaluate(condition_of({{"any", {{{"field", "ascvd"}, {"eq", false}}, {{"field", "egfr"}, {"ge", 20}}}}}), only_ascvd), Truth::yes);
  EXPECT_EQ(evaluate(condition_of({{"any", {{{"field", "ascvd"}, {"eq", true}}, {{"field", "egfr"}, {"ge", 20}}}}}), only_ascvd), Truth::unknown);
  EXPECT_EQ(evaluate(condition_of({{"field", "sex"}, {"in", {"female", "unknown"}}}), Facts{{"sex", std::string("female")}}), Truth::yes);
}

TEST(Units, StandardConversionsAtGuidelineThresholds) {
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::hba1c, 48, "mmol/mol"), 6.5);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::hba1c, 53, "mmol/mol"), 7.0);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::hba1c, 86, "mmol/mol"), 10.0);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::glucose, 126, "mg/dL"), 7.0);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::glucose, 200, "mg/dL"), 11.1);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::glucose, 300, "mg/dL"), 16.7);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::glucose, 100, "mg/dL"), 5.6);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::ldl, 100, "mg/dL"), 2.59);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::glucose, 6.1, " MMOL/L "), 6.1);
  EXPECT_DOUBLE_EQ(*to_canonical(Quantity::egfr, 44, "mL/min/{1.73_m2}"), 44);
  EXPECT_FALSE(to_canonical(Quantity::glucose, 1.2, "g/L").has_value());
  EXPECT_FALSE(to_canonical(Quantity::egfr, 60, "mL/min").has_value());
  EXPECT_FALSE(to_canonical(Quantity::hba1c, 7, "mg/dL").has_value());
}

}  // namespace
}  // namespace medai::diabetes

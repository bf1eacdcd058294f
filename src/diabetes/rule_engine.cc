#include "diabetes/rule_engine.h"

#include <set>

namespace medai::diabetes {
namespace {

using nlohmann::json;

const std::set<std::string, std::less<>> kComparisons = {"lt", "le", "gt", "ge", "eq", "ne", "in", "missing"};
const std::set<std::string, std::less<>> kEffectTypes = {"target", "recommend", "contraindicate", "caution"};

struct Loader {
  std::vector<json> problems;
  bool in_target_phase = false;

  void problem(const std::string& path, const std::string& message) {
    problems.push_back({{"path", path}, {"message", message}});
  }

  std::optional<Value> operand(const json& v, FieldType type, const std::string& path) {
    if (type == FieldType::number && v.is_number()) return Value(v.get<double>());
    if (type == FieldType::boolean && v.is_boolean()) return Value(v.get<bool>());
    if (type == FieldType::text && v.is_string()) return Value(v.get<std::string>());
    problem(path, "operand has the wrong type for the field");
    return std::nullopt;
  }

  Condition condition(const json& j, const std::string& path, int depth = 0) {
    Condition c;
    if (depth > 16) {
      problem(path, "condition nested deeper than 16 levels");
      return c;
    }
    if (!j.is_object() || j.empty()) {
      problem(path, "a condition is a non-empty JSON object");
      return c;
    }
    if (j.contains("all") || j.contains("any")) {
      const bool all = j.contains("all");
      c.kind = all ? Condition::Kind::all : Condition::Kind::any;
      const json& list = j[all ? "all" : "any"];
      if (j.size() != 1 || !list.is_array() || list.empty()) {
        problem(path, std::string("\"") + (all ? "all" : "any") + "\" takes a non-empty array and nothing beside it");
        return c;
      }
      for (std::size_t i = 0; i < list.size(); ++i)
        c.children.push_back(condition(list[i], path + "/" + (all ? "all/" : "any/") + std::to_string(i), depth + 1));
      return c;
    }
    if (j.contains("not")) {
      c.kind = Condition::Kind::negate;
      if (j.size() != 1) problem(path, "\"not\" takes one condition and nothing beside it");
      c.children.push_back(condition(j["not"], path + "/not", depth + 1));
      return c;
    }
    if (j.contains("always")) {
      if (j.size() != 1 || j["always"] != true) problem(path, "\"always\" must be exactly {\"always\": true}");
      return c;
    }
    if (!j.contains("field") || !j["field"].is_string()) {
      problem(path, "unknown condition form (expected all, any, not, always or field)");
      return c;
    }
    c.kind = Condition::Kind::leaf;
    c.field = j["field"].get<std::string>();
    const auto field = known_fields().find(c.field);
    if (field == known_fields().end()) {
      problem(path + "/field", "unknown field '" + c.field + "'");
      return c;
    }
    if (in_target_phase && field->second.derived_from_target)
      problem(path + "/field", "'" + c.field + "' is not known while the HbA1c target is being chosen");
    if (j.size() != 2) {
      problem(path, "a field condition has exactly one operator");
      return c;
    }
    for (const auto& [key, value] : j.items()) {
      if (key == "field") continue;
      c.op = key;
      if (!kComparisons.count(key)) {
        problem(path + "/" + key, "unknown operator '" + key + "'");
        return c;
      }
      const FieldType type = field->second.type;
      if (key == "missing") {
        if (!value.is_boolean()) problem(path + "/missing", "\"missing\" takes true or false");
        else c.operands.push_back(value.get<bool>());
      } else if (key == "in") {
        if (!value.is_array() || value.empty()) problem(path + "/in", "\"in\" takes a non-empty array");
        else
          for (std::size_t i = 0; i < value.size(); ++i)
            if (auto v = operand(value[i], type, path + "/in/" + std::to_string(i))) c.operands.push_back(*v);
      } else {
        if ((key == "lt" || key == "le" || key == "gt" || key == "ge") && type != FieldType::number)
          problem(path + "/" + key, "'" + key + "' needs a number field");
        else if (auto v = operand(value, type, path + "/" + key)) c.operands.push_back(*v);
      }
    }
    return c;
  }

  Effect effect(const json& j, const std::string& path) {
    Effect e;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || !kEffectTypes.count(j["type"].get<std::string>())) {
      problem(path + "/type", "effect type must be target, recommend, contraindicate or caution");
      return e;
    }
    e.type = j["type"].get<std::string>();
    if (e.type == "target") {
      if (!j.contains("hba1c_below") || !j["hba1c_below"].is_number() || j["hba1c_below"].get<double>() < 5.0 ||
          j["hba1c_below"].get<double>() > 10.0)
        problem(path + "/hba1c_below", "a target needs hba1c_below between 5 and 10 (%)");
      else e.hba1c_below = j["hba1c_below"].get<double>();
      if (!j.contains("priority") || !j["priority"].is_number_integer())
        problem(path + "/priority", "a target needs an integer priority");
      else e.priority = j["priority"].get<int>();
      return e;
    }
    if (j.contains("action") && j["action"].is_string()) e.actions.push_back(j["action"].get<std::string>());
    if (j.contains("actions") && j["actions"].is_array())
      for (const auto& a : j["actions"])
        if (a.is_string()) e.actions.push_back(a.get<std::string>());
    for (const auto& a : e.actions)
      if (!find_action(a)) problem(path, "unknown action '" + a + "'");
    if (e.type == "recommend") {
      if (e.actions.size() != 1) problem(path + "/action", "recommend names exactly one action");
      if (!j.contains("weight") || !j["weight"].is_number() || j["weight"].get<double>() <= 0)
        problem(path + "/weight", "recommend needs a positive weight");
      else e.weight = j["weight"].get<double>();
    }
    if (e.type == "contraindicate" && e.actions.empty()) problem(path + "/actions", "contraindicate names its actions");
    return e;
  }
};

bool compare(const std::string& op, const Value& fact, const Value& operand) {
  if (fact.index() != operand.index()) return false;
  if (const double* a = std::get_if<double>(&fact)) {
    const double b = std::get<double>(operand);
    if (op == "lt") return *a < b;
    if (op == "le") return *a <= b;
    if (op == "gt") return *a > b;
    if (op == "ge") return *a >= b;
    if (op == "eq") return *a == b;
    if (op == "ne") return *a != b;
  }
  if (op == "eq" || op == "in") return fact == operand;
  if (op == "ne") return fact != operand;
  return false;
}

}  // namespace

Result<RuleSet> load_rule_set(const json& document) {
  Loader loader;
  RuleSet set;
  if (!document.is_object() || document.value("format", "") != "medai.rules/1") {
    return make_error(ErrorCode::invalid_rule_set, "the rule set is not a medai.rules/1 document");
  }
  set.name = document.value("name", "");
  set.version = document.value("version", "");
  if (set.name.empty()) loader.problem("/name", "the rule set needs a name");
  if (set.version.empty()) loader.problem("/version", "the rule set needs a version");
  if (!document.contains("rules") || !document["rules"].is_array() || document["rules"].empty())
    loader.problem("/rules", "the rule set needs a non-empty rules array");
  std::set<std::string> ids;
  const json& rules = document.contains("rules") && document["rules"].is_array() ? document["rules"] : json::array();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string path = "/rules/" + std::to_string(i);
    const json& r = rules[i];
    if (!r.is_object()) {
      loader.problem(path, "a rule is a JSON object");
      continue;
    }
    Rule rule;
    rule.id = r.value("id", "");
    rule.text = r.value("text", "");
    if (rule.id.empty()) loader.problem(path + "/id", "a rule needs an id");
    else if (!ids.insert(rule.id).second) loader.problem(path + "/id", "duplicate rule id '" + rule.id + "'");
    if (rule.text.empty()) loader.problem(path + "/text", "a rule needs its text");
    const json source = r.contains("source") && r["source"].is_object() ? r["source"] : json::object();
    rule.source = {source.value("guideline", ""), source.value("section", ""), source.value("version", "")};
    if (rule.source.guideline.empty() || rule.source.section.empty() || rule.source.version.empty())
      loader.problem(path + "/source", "a rule needs source {guideline, section, version}");
    rule.effect = loader.effect(r.contains("effect") ? r["effect"] : json(), path + "/effect");
    loader.in_target_phase = rule.effect.type == "target";
    if (!r.contains("when")) loader.problem(path + "/when", "a rule needs a condition ('when')");
    else {
      rule.when = loader.condition(r["when"], path + "/when");
      rule.when_json = r["when"];
    }
    set.rules.push_back(std::move(rule));
  }
  if (!loader.problems.empty())
    return make_error(ErrorCode::invalid_rule_set,
                      "the rule set has " + std::to_string(loader.problems.size()) + " problem(s)",
                      {{"problems", loader.problems}});
  return set;
}

Truth evaluate(const Condition& c, const Facts& facts) {
  switch (c.kind) {
    case Condition::Kind::always: return Truth::yes;
    case Condition::Kind::all: {
      Truth result = Truth::yes;
      for (const auto& child : c.children) {
        const Truth t = evaluate(child, facts);
        if (t == Truth::no) return Truth::no;
        if (t == Truth::unknown) result = Truth::unknown;
      }
      return result;
    }
    case Condition::Kind::any: {
      Truth result = Truth::no;
      for (const auto& child : c.children) {
        const Truth t = evaluate(child, facts);
        if (t == Truth::yes) return Truth::yes;
        if (t == Truth::unknown) result = Truth::unknown;
      }
      return result;
    }
    case Condition::Kind::negate: {
      const Truth t = evaluate(c.children.at(0), facts);
      return t == Truth::unknown ? t : t == Truth::yes ? Truth::no : Truth::yes;
    }
    case Condition::Kind::leaf: {
      const auto it = facts.find(c.field);
      if (c.op == "missing") return (it == facts.end()) == std::get<bool>(c.operands.at(0)) ? Truth::yes : Truth::no;
      if (it == facts.end()) return Truth::unknown;
      if (c.op == "in") {
        for (const auto& v : c.operands)
          if (compare("in", it->second, v)) return Truth::yes;
        return Truth::no;
      }
      return compare(c.op, it->second, c.operands.at(0)) ? Truth::yes : Truth::no;
    }
  }
  return Truth::unknown;
}

json rule_reference(const Rule& rule) {
  return {{"id", rule.id},
          {"text", rule.text},
          {"source", {{"guideline", rule.source.guideline}, {"section", rule.source.section}, {"version", rule.source.version}}}};
}

}  // namespace medai::diabetes

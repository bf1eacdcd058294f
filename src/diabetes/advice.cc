#include "diabetes/advice.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "diabetes/units.h"
#include "diabetes/vocabulary.h"

namespace medai::diabetes {
namespace {

using nlohmann::json;

// Divides by the inverse step so the result is the double nearest the decimal
// (70 / 10 == 7.0 exactly, while 70 * 0.1 is 7.000000000000001).
double round_to(double v, double step) {
  const double inverse = std::round(1.0 / step);
  return std::round(v * inverse) / inverse;
}

struct ActionState {
  double score = 0;
  std::vector<json> reasons;   // rule references that recommend it
  std::vector<json> cautions;  // rule references that caution it
};

// Measurements whose absence the advice should say out loud.
std::vector<std::string> missing_fields(const PatientRecord& r) {
  std::vector<std::string> out;
  auto note = [&out](const char* name, const auto& v) {
    if (!v) out.push_back(name);
  };
  if (r.diagnosed_t2d) {
    note("egfr", r.egfr);
    note("bmi", r.bmi);
    note("fasting_glucose", r.fasting_glucose_mmol_l);
    note("sbp", r.sbp);
    note("ldl", r.ldl_mmol_l);
  } else {
    note("hba1c", r.hba1c_percent);
    note("fasting_glucose", r.fasting_glucose_mmol_l);
    note("ogtt_2h_glucose", r.ogtt_2h_glucose_mmol_l);
    note("bmi", r.bmi);
    note("dbp", r.dbp);
  }
  return out;
}

json risk_json(const RiskResult& risk) {
  json contributions = json::array();
  std::vector<const FeatureContribution*> by_size;
  for (const auto& c : risk.contributions) {
    contributions.push_back({{"feature", c.feature},
                             {"value", c.value ? json(round_to(*c.value, 0.001)) : json(nullptr)},
                             {"contribution", round_to(c.contribution, 0.0001)}});
    by_size.push_back(&c);
  }
  std::stable_sort(by_size.begin(), by_size.end(), [](const auto* a, const auto* b) {
    return std::fabs(a->contribution) > std::fabs(b->contribution);
  });
  json drivers = json::array();
  for (const auto* c : by_size) {
    if (std::fabs(c->contribution) < 1e-6) continue;
    drivers.push_back({{"feature", c->feature},
                       {"direction", c->contribution > 0 ? "raises" : "lowers"},
                       {"contribution", round_to(c->contribution, 0.0001)},
                       {"missing", !c->value.has_value()}});
  }
  return {{"model", "xgboost"},
          {"features", "Pima (npreg, glu, bp, skin, bmi, ped, age)"},
          {"probability", round_to(risk.probability, 0.0001)},
          {"margin_log_odds", round_to(risk.margin, 0.0001)},
          {"bias_log_odds", round_to(risk.bias, 0.0001)},
          {"contributions", contributions},
          {"what_drove_this_score", drivers},
          {"explanation", "exact tree SHAP values (XGBoost pred_contribs) in log-odds; bias + contributions = margin"}};
}

}  // namespace

json advise(const PatientRecord& record, const RuleSet& rules, const std::optional<RiskResult>& risk,
            const AppIdentity& app) {
  Facts facts = facts_of(record, risk ? std::optional<double>(risk->probability) : std::nullopt);
  json fired = json::array();

  // Phase 1: the HbA1c target.
  const Rule* target_rule = nullptr;
  for (const auto& rule : rules.rules) {
    if (rule.effect.type != "target" || evaluate(rule.when, facts) != Truth::yes) continue;
    fired.push_back(rule_reference(rule));
    fired.back()["effect"] = {{"type", "target"}, {"hba1c_below", rule.effect.hba1c_below}};
    if (!target_rule || rule.effect.priority > target_rule->effect.priority) target_rule = &rule;
  }
  if (target_rule) {
    facts["hba1c_target"] = target_rule->effect.hba1c_below;
    if (record.hba1c_percent) facts["hba1c_above_target"] = *record.hba1c_percent - target_rule->effect.hba1c_below;
  }

  // Phase 2: treatment rules.
  std::map<std::string, ActionState> actions;
  std::map<std::string, std::vector<json>> contraindicated;
  json general_cautions = json::array();
  for (const auto& rule : rules.rules) {
    if (rule.effect.type == "target" || evaluate(rule.when, facts) != Truth::yes) continue;
    json ref = rule_reference(rule);
    json fired_entry = ref;
    fired_entry["effect"] = {{"type", rule.effect.type}, {"actions", rule.effect.actions}};
    if (rule.effect.type == "recommend") fired_entry["effect"]["weight"] = rule.effect.weight;
    fired.push_back(fired_entry);
    if (rule.effect.type == "recommend") {
      auto& a = actions[rule.effect.actions.front()];
      a.score += rule.effect.weight;
      a.reasons.push_back(ref);
    } else if (rule.effect.type == "contraindicate") {
      for (const auto& action : rule.effect.actions) contraindicated[action].push_back(ref);
    } else if (rule.effect.type == "caution") {
      if (rule.effect.actions.empty()) general_cautions.push_back(ref);
      for (const auto& action : rule.effect.actions) actions[action].cautions.push_back(ref);
    }
  }

  // Rank what is recommended and not contraindicated.
  std::vector<std::pair<std::string, const ActionState*>> ranked;
  for (const auto& [id, state] : actions)
    if (state.score > 0 && !contraindicated.count(id)) ranked.emplace_back(id, &state);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.second->score != b.second->score) return a.second->score > b.second->score;
    return action_order(a.first) < action_order(b.first);
  });
  json recommendations = json::array();
  int rank = 0;
  for (const auto& [id, state] : ranked) {
    json reasons = json::array();
    for (const auto& r : state->reasons) reasons.push_back(r["text"]);
    recommendations.push_back({{"rank", ++rank},
                               {"action", id},
                               {"title", std::string(find_action(id)->title)},
                               {"score", state->score},
                               {"reasons", reasons},
                               {"rules", state->reasons},
                               {"cautions", state->cautions}});
  }
  json contraindications = json::array();
  for (const auto& [id, refs] : contraindicated)
    contraindications.push_back({{"action", id}, {"title", std::string(find_action(id)->title)}, {"rules", refs}});
  // Cautions about actions not offered still matter (they concern drugs the patient takes).
  for (const auto& [id, state] : actions)
    if (state.score == 0 || contraindicated.count(id))
      for (const auto& c : state.cautions) general_cautions.push_back(c);

  json doc = {{"format", kAdviceFormat},
              {"app", {{"name", app.name}, {"version", app.version}, {"digest", app.digest}}},
              {"rule_set", {{"name", rules.name}, {"version", rules.version}}},
              {"research_use_only", app.research_use_only},
              {"notice", "Decision support for research use only: not a substitute for clinical judgement. "
                         "Check every suggestion against the full clinical picture and local prescribing information."},
              {"patient", to_json(record)},
              {"missing", missing_fields(record)},
              {"recommendations", recommendations},
              {"contraindications", contraindications},
              {"cautions", general_cautions},
              {"fired_rules", fired}};
  if (target_rule) {
    const double below = target_rule->effect.hba1c_below;
    json target = {{"below_percent", below},
                   {"below_mmol_mol", std::round(hba1c_mmol_mol(below))},
                   {"why", target_rule->text},
                   {"rule", rule_reference(*target_rule)}};
    if (record.hba1c_percent) {
      target["hba1c_percent"] = round_to(*record.hba1c_percent, 0.01);
      target["above_target_by"] = round_to(*record.hba1c_percent - below, 0.01);
      target["at_target"] = *record.hba1c_percent < below;
    }
    doc["hba1c_target"] = target;
  } else {
    doc["hba1c_target"] = nullptr;
  }
  doc["risk"] = risk ? risk_json(*risk) : json(nullptr);
  return doc;
}

}  // namespace medai::diabetes

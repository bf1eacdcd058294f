#include "jobs/routing_rule.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/clock.h"

namespace medai::jobs {
namespace {

using nlohmann::json;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Status bad(const std::string& field, const std::string& why) {
  return make_error(ErrorCode::invalid_argument, "routing rule field '" + field + "' " + why, {{"field", field}});
}

Result<std::vector<std::string>> string_list(const json& j, const std::string& field, bool codes) {
  if (!j.is_array()) return bad(field, "must be an array of strings");
  if (j.size() > 64) return bad(field, "has more than 64 entries");
  std::vector<std::string> out;
  for (const auto& v : j) {
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 64)
      return bad(field, "must contain non-empty strings of at most 64 characters");
    out.push_back(codes ? upper(v.get<std::string>()) : v.get<std::string>());
  }
  return out;
}

bool in_list(const std::vector<std::string>& list, const std::string& value) {
  const std::string v = upper(value);
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

Result<RuleMatch> parse_rule_match(const json& j) {
  if (!j.is_object()) return bad("match", "must be an object");
  RuleMatch m;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    const std::string field = "match." + k;
    if (k == "modality") {
      MEDAI_ASSIGN_OR_RETURN(m.modality, string_list(v, field, true));
    } else if (k == "body_part") {
      MEDAI_ASSIGN_OR_RETURN(m.body_part, string_list(v, field, true));
    } else if (k == "sop_class") {
      MEDAI_ASSIGN_OR_RETURN(m.sop_class, string_list(v, field, false));
    } else if (k == "study_has_modality") {
      MEDAI_ASSIGN_OR_RETURN(m.study_has_modality, string_list(v, field, true));
    } else if (k == "study_lacks_modality") {
      MEDAI_ASSIGN_OR_RETURN(m.study_lacks_modality, string_list(v, field, true));
    } else if (k == "series_description_regex") {
      if (!v.is_string() || v.get<std::string>().size() > 200) return bad(field, "must be a string of at most 200 characters");
      try {
        std::regex re(v.get<std::string>(), std::regex::ECMAScript | std::regex::icase);
      } catch (const std::regex_error&) {
        return bad(field, "is not a valid regular expression");
      }
      m.series_description_regex = v.get<std::string>();
    } else if (k == "min_instances") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1) return bad(field, "must be an integer >= 1");
      m.min_instances = v.get<std::int64_t>();
    } else if (k == "max_slice_thickness_mm") {
      if (!v.is_number() || v.get<double>() <= 0 || v.get<double>() > 100) return bad(field, "must be a number in (0, 100]");
      m.max_slice_thickness_mm = v.get<double>();
    } else {
      return bad(field, "is not a known match field");
    }
  }
  return m;
}

Result<RuleAction> parse_rule_action(const json& j) {
  if (!j.is_object()) return bad("action", "must be an object");
  RuleAction a;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    const std::string field = "action." + k;
    if (k == "deliver_to") {
      if (!v.is_array() || v.size() > 8) return bad(field, "must be a list of at most 8 DICOM node ids");
      for (const auto& n : v) {
        if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>().size() > 64)
          return bad(field, "must contain DICOM node ids (non-empty strings of at most 64 characters)");
        a.deliver_to.push_back(n);
      }
      continue;
    }
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 64)
      return bad(field, "must be a non-empty string of at most 64 characters");
    if (k == "job_type")
      a.job_type = v;
    else if (k == "app")
      a.app = v;
    else if (k == "version")
      a.version = v;
    else
      return bad(field, "is not a known action field");
  }
  if (a.job_type == "app.run" && a.app.empty()) return bad("action.app", "is required for app.run");
  if (a.version != "latest-approved") {
    // semver 2.0.0 core (pre-release/build allowed).
    static const std::regex semver(R"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$)");
    if (!std::regex_match(a.version, semver)) return bad("action.version", "must be \"latest-approved\" or a semver");
  }
  return a;
}

json to_json(const RuleMatch& m) {
  json j = json::object();
  if (!m.modality.empty()) j["modality"] = m.modality;
  if (!m.body_part.empty()) j["body_part"] = m.body_part;
  if (!m.sop_class.empty()) j["sop_class"] = m.sop_class;
  if (m.series_description_regex) j["series_description_regex"] = *m.series_description_regex;
  if (m.min_instances) j["min_instances"] = *m.min_instances;
  if (m.max_slice_thickness_mm) j["max_slice_thickness_mm"] = *m.max_slice_thickness_mm;
  if (!m.study_has_modality.empty()) j["study_has_modality"] = m.study_has_modality;
  if (!m.study_lacks_modality.empty()) j["study_lacks_modality"] = m.study_lacks_modality;
  return j;
}

json to_json(const RuleAction& a) {
  json j = {{"job_type", a.job_type}, {"app", a.app}, {"version", a.version}};
  if (!a.deliver_to.empty()) j["deliver_to"] = a.deliver_to;
  return j;
}

json to_json(const RoutingRule& r) {
  return {{"id", r.id},
          {"institution_id", r.institution_id},
          {"name", r.name},
          {"enabled", r.enabled},
          {"match", to_json(r.match)},
          {"action", to_json(r.action)},
          {"created_by", r.created_by},
          {"created_at", iso8601_utc(r.created_at)},
          {"updated_at", iso8601_utc(r.updated_at)}};
}

bool rule_matches(const RuleMatch& m, const SeriesFacts& f) {
  if (!m.modality.empty() && !in_list(m.modality, f.modality)) return false;
  if (!m.body_part.empty() && !in_list(m.body_part, f.body_part)) return false;
  if (!m.sop_class.empty()) {
    bool any = false;
    for (const auto& c : f.sop_classes) any = any || std::find(m.sop_class.begin(), m.sop_class.end(), c) != m.sop_class.end();
    if (!any) return false;
  }
  if (m.min_instances && f.instance_count < *m.min_instances) return false;
  if (m.max_slice_thickness_mm && (!f.slice_thickness_mm || *f.slice_thickness_mm > *m.max_slice_thickness_mm + 1e-6))
    return false;
  std::set<std::string> study;
  for (const auto& s : f.study_modalities) study.insert(upper(s));
  for (const auto& need : m.study_has_modality)
    if (!study.count(need)) return false;
  for (const auto& lack : m.study_lacks_modality)
    if (study.count(lack)) return false;
  if (m.series_description_regex) {
    try {
      std::regex re(*m.series_description_regex, std::regex::ECMAScript | std::regex::icase);
      if (!std::regex_search(f.series_description, re)) return false;
    } catch (const std::exception&) {
      return false;  // validated on write; a regex that fails at run time matches nothing
    }
  }
  return true;
}

}  // namespace medai::jobs

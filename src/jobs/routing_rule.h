#pragma once
// Routing rules: which completed series an institution sends to which app.
// A rule = {name, enabled, match, action}; every match field present must
// hold (AND), list fields match when the series' value is one of the list
// (case-insensitive codes). Evaluated once a series is complete (see
// series_complete_detector.h); a match enqueues action.job_type with
// idempotency key "<rule id>:<series UID>", so a series never triggers the
// same rule twice.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::jobs {

struct RuleMatch {
  std::vector<std::string> modality;   // e.g. ["CT"]
  std::vector<std::string> body_part;  // Body Part Examined, e.g. ["CHEST"]
  std::vector<std::string> sop_class;  // SOP Class UIDs; any instance of the series
  std::optional<std::string> series_description_regex;  // ECMAScript, case-insensitive, search
  std::optional<std::int64_t> min_instances;
  std::optional<double> max_slice_thickness_mm;  // needs the series geometry (unknown → no match)
  std::vector<std::string> study_has_modality;   // the study has a series of each of these
  std::vector<std::string> study_lacks_modality;  // ... and none of these
};

struct RuleAction {
  std::string job_type = "app.run";
  std::string app;                           // app name
  std::string version = "latest-approved";   // or a semver
  // DICOM node ids of the institution the results are pushed to once the
  // app has run (app.run input "deliver_to"); empty: results stay here.
  std::vector<std::string> deliver_to;
};

struct RoutingRule {
  std::string id;
  std::string institution_id;
  std::string name;
  bool enabled = true;
  RuleMatch match;
  RuleAction action;
  std::string created_by;
  std::int64_t created_at = 0, updated_at = 0;
};

// What the rules see of a completed series (no patient data).
struct SeriesFacts {
  std::string institution_id, study_uid, series_uid;
  std::string modality, body_part, series_description;
  std::int64_t instance_count = 0;
  std::set<std::string> sop_classes;
  std::set<std::string> study_modalities;  // of every series in the study
  std::optional<double> slice_thickness_mm;  // effective thickness, see series_geometry.h
};

// Strict parsers (unknown fields, wrong types, bad regex → invalid_argument
// naming the field).
Result<RuleMatch> parse_rule_match(const nlohmann::json& j);
Result<RuleAction> parse_rule_action(const nlohmann::json& j);
nlohmann::json to_json(const RuleMatch& m);
nlohmann::json to_json(const RuleAction& a);
nlohmann::json to_json(const RoutingRule& r);

// True when every present field of `m` holds for `facts`.
bool rule_matches(const RuleMatch& m, const SeriesFacts& facts);
// Whether evaluating `m` needs the series geometry (reading headers).
inline bool needs_geometry(const RuleMatch& m) { return m.max_slice_thickness_mm.has_value(); }

}  // namespace medai::jobs

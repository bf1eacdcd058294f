#include "apps/mammo/assessment.h"

#include <algorithm>
#include <cstdio>

namespace medai::apps::mammo {

Result<OperatingPoints> operating_points_from(const nlohmann::json& t) {
  OperatingPoints p;
  if (t.is_null()) return p;
  if (!t.is_object())
    return make_error(ErrorCode::invalid_manifest, "output.thresholds must be an object",
                      {{"problems", {{{"field", "output.thresholds"}, {"message", "must be an object"}}}}});
  nlohmann::json problems = nlohmann::json::array();
  auto read = [&](const char* name, double& v) {
    if (!t.contains(name)) return;
    if (!t[name].is_number() || t[name].get<double>() < 0 || t[name].get<double>() > 1) {
      problems.push_back({{"field", std::string("output.thresholds.") + name}, {"message", "must be a number in [0, 1]"}});
      return;
    }
    v = t[name].get<double>();
  };
  read("recall", p.recall);
  read("high_suspicion", p.high_suspicion);
  if (problems.empty() && p.high_suspicion < p.recall)
    problems.push_back({{"field", "output.thresholds.high_suspicion"}, {"message", "must not be below recall"}});
  if (!problems.empty())
    return make_error(ErrorCode::invalid_manifest, "the mammography operating points are invalid", {{"problems", problems}});
  return p;
}

ExamScore aggregate_exam(const std::vector<ViewScore>& views, const std::vector<std::string>& missing) {
  ExamScore e;
  e.missing = missing;
  for (const char* side : {"R", "L"}) {
    BreastScore b;
    b.laterality = side;
    for (const auto& v : views)
      if (v.laterality == side) {
        b.score = b.views.empty() ? v.score : std::max(b.score, v.score);
        b.views.push_back(v.name);
      }
    for (const auto& m : missing)
      if (!m.empty() && m.substr(0, 1) == side) b.missing.push_back(m);
    if (b.views.empty()) continue;
    e.score = e.breasts.empty() ? b.score : std::max(e.score, b.score);
    e.breasts.push_back(std::move(b));
  }
  return e;
}

Assessment suggest_birads(const ExamScore& exam, const OperatingPoints& p) {
  char buf[160];
  if (exam.score >= p.recall) {
    const bool high = exam.score >= p.high_suspicion;
    std::snprintf(buf, sizeof buf, "exam score %.3f is at or above the %s operating point %.3f", exam.score,
                  high ? "high-suspicion" : "recall", high ? p.high_suspicion : p.recall);
    return {"0", "Incomplete – need additional imaging evaluation (recall)", high ? "high" : "intermediate", buf};
  }
  if (!exam.missing.empty()) {
    std::string views;
    for (const auto& m : exam.missing) views += (views.empty() ? "" : ", ") + m;
    return {"0", "Incomplete – need additional imaging evaluation (recall)", "low",
            "views missing (" + views + "): a negative assessment needs the complete exam"};
  }
  std::snprintf(buf, sizeof buf, "exam score %.3f is below the recall operating point %.3f", exam.score, p.recall);
  return {"1", "Negative", "low", buf};
}

}  // namespace medai::apps::mammo

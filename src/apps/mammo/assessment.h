#pragma once
// Exam scoring and the suggested BI-RADS assessment (ACR BI-RADS Atlas, 5th
// edition, screening categories). Per breast = the highest score of its
// views (a breast is as suspicious as its worst view), exam = the higher
// breast. The category is a suggestion for the reading radiologist:
//   score ≥ recall                       → 0 "Incomplete – recall for additional imaging evaluation"
//                                          (suspicion "high" from high_suspicion up, else "intermediate")
//   views missing and score < recall     → 0 as well: a negative call needs the whole exam
//   otherwise                            → 1 "Negative" (suspicion "low")
// Category 2 (benign finding) is never suggested: the model scores
// malignancy, it does not recognise benign findings as such.
// The operating points come from the manifest (output.thresholds) and are
// documented in docs/apps/mammography-screening.md with how they were chosen.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::apps::mammo {

struct OperatingPoints {
  double recall = 0.5;
  double high_suspicion = 0.9;
};

// From output.thresholds {"recall": r, "high_suspicion": h} with 0 ≤ r ≤ h ≤ 1;
// absent → the defaults above. invalid_manifest naming the field otherwise.
Result<OperatingPoints> operating_points_from(const nlohmann::json& thresholds);

struct ViewScore {
  std::string name;        // "RCC", ...
  std::string laterality;  // "R" | "L"
  double score = 0;
};

struct BreastScore {
  std::string laterality;
  double score = 0;
  std::vector<std::string> views;    // scored views of this breast
  std::vector<std::string> missing;  // its standard views not in the exam
};

struct ExamScore {
  double score = 0;
  std::vector<BreastScore> breasts;  // R then L; a breast with no scored view is absent
  std::vector<std::string> missing;  // all missing standard views
};

ExamScore aggregate_exam(const std::vector<ViewScore>& views, const std::vector<std::string>& missing_views);

struct Assessment {
  std::string category;   // "0" | "1"
  std::string meaning;    // the Atlas wording
  std::string suspicion;  // "low" | "intermediate" | "high"
  std::string reason;
};

Assessment suggest_birads(const ExamScore& exam, const OperatingPoints& points);

}  // namespace medai::apps::mammo

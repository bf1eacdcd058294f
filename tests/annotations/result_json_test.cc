// App result JSON: round trip, lookup by finding id, and every problem of a
// malformed result listed at once.
#include "annotations/result_json.h"

#include <gtest/gtest.h>

namespace medai::annotations {
namespace {

AppResult sample() {
  AppResult r;
  r.producer.manufacturer = "medai-reference";
  r.producer.app_name = "lung-nodule-screening";
  r.producer.app_version = "1.2.0";
  r.producer.package_digest = "sha256:" + std::string(64, 'a');
  r.producer.input_digest = "sha256:" + std::string(64, 'b');
  r.producer.job_id = "job-42";
  r.producer.research_use_only = true;
  r.created = "2026-11-27T15:30:00Z";
  r.study_instance_uid = "2.25.1";
  r.source_series_instance_uid = "2.25.2";
  ResultFinding f;
  f.id = "nodule-1";
  f.label = "Nodule";
  f.code = codes::kNodule;
  f.score = 0.83;
  f.centre_mm = std::array<double, 3>{-40.5, 12.25, 100};
  f.slice_index = 41;
  f.measurements = {{"long_axis_diameter", 12.3, "mm"}, {"volume", 523.6, "mm3"}};
  f.attributes = {{"type", "solid"}};
  f.seg = SegReference{"2.25.3", 1};
  f.sr = SrReference{"2.25.4", "2.25.5"};
  r.findings.push_back(f);
  r.exam = {{"lung_rads", "4A"}};
  r.objects.push_back({"seg", "1.2.840.10008.5.1.4.1.1.66.4", "2.25.3", "2.25.6"});
  return r;
}

TEST(ResultJson, RoundTripAndLookup) {
  const nlohmann::json j = to_json(sample());
  EXPECT_EQ(j["schema"], kResultSchema);
  EXPECT_EQ(j["app"]["package_digest"], "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(j["research_use_only"], true);
  EXPECT_EQ(j["findings"][0]["references"]["seg"]["segment_number"], 1);
  auto back = result_from_json(j);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(to_json(back.value()), j);
  const ResultFinding* f = find_finding(back.value(), "nodule-1");
  ASSERT_NE(f, nullptr);
  EXPECT_DOUBLE_EQ(f->measurements[0].value, 12.3);
  EXPECT_EQ(f->sr->tracking_uid, "2.25.5");
  EXPECT_EQ(find_finding(back.value(), "nodule-9"), nullptr);
}

TEST(ResultJson, ListsEveryProblem) {
  nlohmann::json j = to_json(sample());
  j["findings"].push_back(j["findings"][0]);           // repeated id
  j["findings"][0]["measurements"][0]["value"] = "x";  // not a number
  j["findings"][1].erase("id");
  j["app"].erase("version");
  auto r = result_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::unprocessable);
  const auto problems = r.status().detail()["problems"];
  EXPECT_EQ(problems.size(), 3u) << problems.dump();
  EXPECT_EQ(result_from_json(nlohmann::json::array()).status().code(), ErrorCode::unprocessable);
  nlohmann::json wrong = to_json(sample());
  wrong["schema"] = "other/1";
  EXPECT_FALSE(result_from_json(wrong).is_ok());
}

}  // namespace
}  // namespace medai::annotations

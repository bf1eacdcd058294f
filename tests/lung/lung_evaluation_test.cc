// The evaluator on generated study folders (real DICOM written by the
// generator, read back by the series loader): an oracle detector that
// returns the ground-truth centres reaches CPM 1 with measured diameters
// and types close to the truth; the baseline is scored on the same studies;
// a broken study is reported as a failure, not a crash.
#include <gtest/gtest.h>

#include <fstream>

#include "apps/lung/lung_evaluation.h"
#include "support/temp_dir.h"
#include "synth/study_output.h"

namespace medai::apps::lung {
namespace {

namespace fs = std::filesystem;

class LungEvaluation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new medai::testing::TempDir();
    synth::StudyOptions o;
    o.matrix = 256;
    o.min_nodules = 2;
    o.threads = 2;
    for (int i = 1; i <= 3; ++i) {
      auto gt = synth::write_study("chest-ct", 4242, i, o, dir_->path() / ("chest-ct-000" + std::to_string(i)));
      ASSERT_TRUE(gt.is_ok()) << gt.status().message();
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static medai::testing::TempDir* dir_;
};
medai::testing::TempDir* LungEvaluation::dir_ = nullptr;

TEST_F(LungEvaluation, OracleDetectorScoresPerfectlyAndBaselineIsReported) {
  const auto studies = list_study_folders(dir_->path());
  ASSERT_EQ(studies.size(), 3u);
  LungDetector oracle = [](const imaging::SeriesVolume& s,
                           const std::vector<fs::path>&) -> Result<std::vector<Candidate>> {
    // The ground truth of the study whose series this is.
    std::vector<Candidate> out;
    for (const auto& d : list_study_folders(dir_->path())) {
      std::ifstream f(d / "ground_truth.json");
      const auto gt = nlohmann::json::parse(f);
      if (gt["ct"]["series_instance_uid"] != s.series_instance_uid) continue;
      for (const auto& n : gt["nodules"])
        out.push_back({{n["center_mm"][0].get<double>(), n["center_mm"][1].get<double>(),
                        n["center_mm"][2].get<double>()},
                       0.9});
    }
    return out;
  };
  LungEvaluationOptions o;
  auto report = evaluate_lung_studies(studies, &oracle, o);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  const auto& r = *report;
  EXPECT_EQ(r["studies"], 3);
  EXPECT_GE(r["nodules"].get<int>(), 6);
  EXPECT_DOUBLE_EQ(r["model"]["cpm"].get<double>(), 1.0);
  EXPECT_GE(r["model"]["operating_point"]["sensitivity"].get<double>(), 0.8);
  EXPECT_LE(r["model"]["median_diameter_error_mm"].get<double>(), 2.5);
  EXPECT_GE(r["model"]["type_accuracy"].get<double>(), 0.6);
  ASSERT_TRUE(r.contains("baseline"));
  EXPECT_GE(r["baseline"]["cpm"].get<double>(), 0.0);
  EXPECT_LE(r["baseline"]["cpm"].get<double>(), 1.0);
  EXPECT_NE(r["figures"][0]["svg"].get<std::string>().find("<svg"), std::string::npos);
}

TEST_F(LungEvaluation, UnreadableStudyIsAFailureNotACrash) {
  medai::testing::TempDir broken;
  fs::create_directories(broken.path() / "bad" / "ct");
  std::ofstream(broken.path() / "bad" / "ground_truth.json") << R"({"nodules": [], "ct": {"folder": "ct"}})";
  std::ofstream(broken.path() / "bad" / "ct" / "x.dcm") << "not dicom";
  auto studies = list_study_folders(broken.path());
  studies.push_back(list_study_folders(dir_->path()).front());
  LungEvaluationOptions o;
  auto report = evaluate_lung_studies(studies, nullptr, o);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ((*report)["studies"], 1);
  ASSERT_EQ((*report)["failures"].size(), 1u);
  EXPECT_FALSE((*report)["failures"][0]["error"].get<std::string>().empty());
  EXPECT_FALSE(report->contains("model"));
  auto none = evaluate_lung_studies(std::vector<fs::path>{}, nullptr, o);
  EXPECT_FALSE(none.is_ok());
}

}  // namespace
}  // namespace medai::apps::lung

#include "training/app_package.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "training/pima_fixture.h"
#include "training/xgboost_trainer.h"

namespace medai::training {
namespace {

class NullSink : public TrainingSink {
 public:
  void report(const TrainingProgress&) override {}
  bool cancelled() const override { return false; }
};

TEST(AppPackage, TrainedXGBoostModelMakesAValidResearchUseManifest) {
  auto pima = testing::load_pima();
  if (!pima) GTEST_SKIP() << "Rscript with r-cran-mass is not installed";
  medai::testing::TempDir dir;
  TrainingRequest request;
  request.job_id = "job-7";
  request.hyper = {{"rounds", 60}, {"bootstrap_resamples", 200}};
  request.seed = 1;
  request.work_dir = dir.path() / "work";
  NullSink sink;
  auto outcome = make_xgboost_trainer()->train(request, *pima, sink);
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();

  TrainedModel model;
  model.job_id = "job-7";
  model.runtime = outcome->runtime;
  model.model_file = outcome->model_artifact;
  model.manifest_fragment = outcome->manifest_fragment;
  model.report = outcome->report;
  model.report["dataset"] = {{"name", "pima-diabetes-mass"}, {"version", 1}};
  model.run = {{"architecture", "xgboost"}, {"dataset_id", "ds-1"}, {"dataset_version", 1}, {"seed", 1}};
  AppPackageRequest r{.name = "pima-risk", .version = "1.0.0", .vendor = "vendor-x"};

  const auto manifest = app_manifest_for(model, r);
  EXPECT_EQ(manifest["task"], "tabular-advice");
  EXPECT_EQ(manifest["research_use_only"], true);
  EXPECT_EQ(manifest["modality"], nlohmann::json::array());
  EXPECT_EQ(manifest["model"]["artifact"], "model/model.json");
  EXPECT_NE(manifest["intended_use"].get<std::string>().find("Research use only"), std::string::npos);
  EXPECT_NE(manifest["training_data"]["summary"].get<std::string>().find("pima-diabetes-mass v1"), std::string::npos);
  EXPECT_EQ(manifest["training_data"]["cases"], 200);  // train + validation carved from it
  bool test_auc = false;
  for (const auto& m : manifest["validation"]["metrics"])
    if (m["name"] == "roc_auc" && m["split"] == "test") {
      test_auc = true;
      EXPECT_EQ(m["ci95"].size(), 2u);
    }
  EXPECT_TRUE(test_auc) << manifest.dump();

  // Packing validates the manifest against the schema and rules.
  auto archive = build_app_package(model, r, dir.path() / "pkg");
  ASSERT_TRUE(archive.is_ok()) << archive.status().to_string();
  EXPECT_GT(archive->size(), 100u);
  // A bad name is refused with the problem named.
  r.name = "Bad Name";
  auto bad = build_app_package(model, r, dir.path() / "pkg2");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::invalid_manifest);
}

}  // namespace
}  // namespace medai::training

#include "training/xgboost_trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "support/temp_dir.h"
#include "training/pima_fixture.h"

namespace medai::training {
namespace {

class RecordingSink : public TrainingSink {
 public:
  void report(const TrainingProgress& p) override { records.push_back(p); }
  bool cancelled() const override { return cancel_after >= 0 && static_cast<int>(records.size()) >= cancel_after; }
  std::vector<TrainingProgress> records;
  int cancel_after = -1;
};

TrainingRequest request_in(const std::filesystem::path& dir, nlohmann::json hyper = nlohmann::json::object()) {
  TrainingRequest r;
  r.job_id = "job-1";
  r.task = "classification";
  r.architecture = "xgboost";
  r.hyper = std::move(hyper);
  r.threads = 2;
  r.seed = 7;
  r.work_dir = dir;
  return r;
}

TEST(XGBoostTrainer, PimaTestAucAtLeast082AndDeterministic) {
  auto pima = testing::load_pima();
  if (!pima) GTEST_SKIP() << "Rscript with r-cran-mass is not installed";
  medai::testing::TempDir dir;
  auto trainer = make_xgboost_trainer();
  RecordingSink sink;
  auto first = trainer->train(request_in(dir.path() / "a"), *pima, sink);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  const auto& test = first->report["splits"]["test"];
  const double auc = test["auc"].get<double>();
  std::printf("Pima.te (332 cases, %d positive): ROC AUC %.4f, 95%% CI %.4f-%.4f (%d stratified bootstrap resamples); "
              "best round %d of %d trained; validation AUC %.4f\n",
              test["positives"].get<int>(), auc, test["auc_ci"]["lower"].get<double>(),
              test["auc_ci"]["upper"].get<double>(), test["auc_ci"]["resamples"].get<int>(),
              first->report["best_epoch"].get<int>(), first->report["rounds_trained"].get<int>(),
              first->report["splits"]["validation"]["auc"].get<double>());
  EXPECT_GE(auc, 0.82);
  EXPECT_EQ(test["cases"], 332);
  EXPECT_LT(test["auc_ci"]["lower"].get<double>(), auc);
  EXPECT_GT(test["auc_ci"]["upper"].get<double>(), auc);
  // Progress: one record per round with validation metrics.
  ASSERT_EQ(sink.records.size(), first->report["rounds_trained"].get<std::size_t>());
  EXPECT_EQ(sink.records.front().epoch, 1);
  EXPECT_TRUE(sink.records.back().validation.contains("auc"));
  EXPECT_GT(sink.records.front().loss, sink.records.back().loss);  // training loss falls
  // Time left: positive while rounds remain (wall clock per round so far,
  // reporting included); the rate is positive.
  EXPECT_GT(sink.records.front().eta_seconds, 0.0);
  for (std::size_t i = 0; i < sink.records.size(); ++i) {
    EXPECT_GE(sink.records[i].eta_seconds, 0.0) << "round " << i + 1;
    EXPECT_GT(sink.records[i].samples_per_second, 0.0) << "round " << i + 1;
  }
  // Outcome: a loadable model file and a manifest fragment naming the features.
  EXPECT_EQ(first->runtime, "xgboost");
  EXPECT_TRUE(std::filesystem::exists(first->model_artifact));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a" / "last.json"));
  const auto& features = first->manifest_fragment["input"]["features"];
  ASSERT_EQ(features.size(), 7u);
  EXPECT_EQ(features[0]["name"], "npreg");
  EXPECT_EQ(first->manifest_fragment["input"]["kind"], "tabular");
  EXPECT_EQ(first->manifest_fragment["output"]["labels"][1]["name"], "Yes");
  EXPECT_TRUE(first->report["data"]["validation_carved_from_train"].get<bool>());

  // Same seed → same metrics; the model bytes are the same too.
  RecordingSink sink2;
  auto second = trainer->train(request_in(dir.path() / "b"), *pima, sink2);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->report["splits"]["test"]["auc"].get<double>(), auc);
  EXPECT_EQ(second->report["best_epoch"], first->report["best_epoch"]);
}

TEST(XGBoostTrainer, ValidateListsEveryProblem) {
  auto trainer = make_xgboost_trainer();
  EXPECT_TRUE(trainer->validate(nlohmann::json::object()).is_ok());
  EXPECT_TRUE(trainer->validate({{"n_estimators", 50}, {"learning_rate", 0.1}, {"scale_pos_weight", "auto"}}).is_ok());
  auto bad = trainer->validate({{"rounds", 0},
                                {"max_depth", "deep"},
                                {"eta", 2.0},
                                {"n_estimators", 10},
                                {"colour", "blue"},
                                {"subsample", 0},
                                {"exclude_columns", "age"}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.code(), ErrorCode::invalid_argument);
  std::set<std::string> fields;
  for (const auto& p : bad.detail()["problems"]) fields.insert(p["field"].get<std::string>());
  // n_estimators and rounds are one parameter: given twice is itself a problem.
  EXPECT_EQ(fields, (std::set<std::string>{"rounds", "max_depth", "eta", "colour", "subsample", "exclude_columns"}));
  EXPECT_NE(bad.detail().dump().find("given twice"), std::string::npos);
  EXPECT_FALSE(trainer->validate("text").is_ok());
}

TabularTrainingData small_table(const std::string& extra_column_value = "1") {
  std::string csv = "x,y,label\n";
  std::vector<TrainingData::Item> items;
  for (int i = 0; i < 60; ++i) {
    const bool pos = i % 2 == 0;
    csv += std::to_string(i % 7 + (pos ? 3 : 0)) + "," + (i == 5 ? extra_column_value : std::to_string(i % 3)) + "," +
           (pos ? "p" : "n") + "\n";
    items.push_back({pos ? "p" : "n", i < 40 ? "train" : i < 50 ? "validation" : "test", nullptr});
  }
  return TabularTrainingData(csv, "label", items);
}

TEST(XGBoostTrainer, RefusesDataItCannotUse) {
  medai::testing::TempDir dir;
  auto trainer = make_xgboost_trainer();
  RecordingSink sink;
  auto text = trainer->train(request_in(dir.path(), {{"rounds", 5}}), small_table("secret-value"), sink);
  ASSERT_FALSE(text.is_ok());
  EXPECT_EQ(text.status().code(), ErrorCode::unprocessable);
  EXPECT_NE(text.status().message().find("'y'"), std::string::npos);
  EXPECT_EQ(text.status().to_string().find("secret-value"), std::string::npos);  // no cell values in errors
  // Excluding the column makes the same data trainable.
  auto ok = trainer->train(request_in(dir.path(), {{"rounds", 5}, {"exclude_columns", {"y"}}}),
                           small_table("secret-value"), sink);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ(ok->manifest_fragment["input"]["features"].size(), 1u);
  EXPECT_FALSE(ok->report["data"]["validation_carved_from_train"].get<bool>());
  EXPECT_EQ(ok->report["data"]["validation_rows"], 10);
  auto missing = trainer->train(request_in(dir.path(), {{"exclude_columns", {"nope"}}}), small_table(), sink);
  EXPECT_EQ(missing.status().code(), ErrorCode::unprocessable);
  auto wrong_positive = trainer->train(request_in(dir.path(), {{"positive_label", "maybe"}}), small_table(), sink);
  EXPECT_EQ(wrong_positive.status().code(), ErrorCode::unprocessable);
}

TEST(XGBoostTrainer, StopsWhenCancelled) {
  medai::testing::TempDir dir;
  auto trainer = make_xgboost_trainer();
  RecordingSink sink;
  sink.cancel_after = 3;
  auto r = trainer->train(request_in(dir.path(), {{"rounds", 100}, {"early_stopping_rounds", 0}}), small_table(), sink);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::cancelled);
  EXPECT_EQ(sink.records.size(), 3u);
}

TEST(XGBoostTrainer, IrisThreeSpeciesMulticlassAccurateAndDeterministic) {
  auto iris = testing::load_iris();
  if (!iris) GTEST_SKIP() << "Rscript is not installed";
  medai::testing::TempDir dir;
  auto trainer = make_xgboost_trainer();
  RecordingSink sink;
  const nlohmann::json hyper = {{"bootstrap_resamples", 300}};
  auto first = trainer->train(request_in(dir.path() / "a", hyper), *iris, sink);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  const auto& test = first->report["splits"]["test"];
  std::printf("iris test (30 rows): accuracy %.3f, macro AUC %.3f (95%% CI %.3f-%.3f); best round %d\n",
              test["accuracy"].get<double>(), test["macro_auc"].get<double>(),
              test["macro_auc_ci"]["lower"].get<double>(), test["macro_auc_ci"]["upper"].get<double>(),
              first->report["best_epoch"].get<int>());
  EXPECT_EQ(test["kind"], "multiclass");
  EXPECT_EQ(test["cases"], 30);
  EXPECT_EQ(test["classes"], nlohmann::json({"setosa", "versicolor", "virginica"}));
  EXPECT_GE(test["accuracy"].get<double>(), 0.85);
  EXPECT_GE(test["macro_auc"].get<double>(), 0.95);
  EXPECT_DOUBLE_EQ(test["per_class"][0]["recall"].get<double>(), 1.0);  // setosa is separable
  EXPECT_EQ(first->report["task"], "classification");
  EXPECT_EQ(first->report["hyper"]["early_stopping_metric"], "logloss");  // "auto" for classification
  EXPECT_TRUE(sink.records.back().validation.contains("auc"));
  // The model answers one probability per species, named in the manifest.
  const auto& out = first->manifest_fragment["output"];
  EXPECT_EQ(out["prediction"], "class-probabilities");
  ASSERT_EQ(out["labels"].size(), 3u);
  EXPECT_EQ(out["labels"][2]["name"], "virginica");
  EXPECT_EQ(out["labels"][2]["value"], 2);
  // Same seed, same result.
  RecordingSink sink2;
  auto second = trainer->train(request_in(dir.path() / "b", hyper), *iris, sink2);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->report["splits"].dump(), first->report["splits"].dump());
  // Two-class options do not apply to three classes.
  auto refused = trainer->train(request_in(dir.path() / "c", {{"positive_label", "setosa"}}), *iris, sink2);
  EXPECT_EQ(refused.status().code(), ErrorCode::unprocessable);
}

TEST(XGBoostTrainer, DiabetesProgressionRegressionBeatsTheMean) {
  auto data = testing::load_diabetes_progression();
  if (!data) GTEST_SKIP() << "Rscript or python3-sklearn's diabetes data is not installed";
  medai::testing::TempDir dir;
  auto trainer = make_xgboost_trainer();
  RecordingSink sink;
  auto request = request_in(dir.path() / "a", {{"bootstrap_resamples", 300}});
  request.task = "regression";
  auto r = trainer->train(request, *data, sink);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto& test = r->report["splits"]["test"];
  std::printf("diabetes progression test (%d rows): MAE %.1f (95%% CI %.1f-%.1f), RMSE %.1f, R2 %.3f, observed SD %.1f\n",
              test["cases"].get<int>(), test["mae"].get<double>(), test["mae_ci"]["lower"].get<double>(),
              test["mae_ci"]["upper"].get<double>(), test["rmse"].get<double>(), test["r2"].get<double>(),
              test["observed_sd"].get<double>());
  EXPECT_EQ(test["kind"], "regression");
  EXPECT_EQ(test["cases"], 110);
  // Better than predicting the mean (R² 0), by a clear margin: linear
  // models reach about 0.5 on this table.
  EXPECT_GE(test["r2"].get<double>(), 0.3);
  EXPECT_LT(test["rmse"].get<double>(), test["observed_sd"].get<double>());
  EXPECT_EQ(r->report["task"], "regression");
  EXPECT_EQ(r->report["hyper"]["early_stopping_metric"], "rmse");
  EXPECT_TRUE(sink.records.back().validation.contains("mae"));
  EXPECT_GT(sink.records.front().loss, sink.records.back().loss);
  const auto& out = r->manifest_fragment["output"];
  EXPECT_EQ(out["prediction"], "value");
  EXPECT_EQ(out["units"], "progression");
  EXPECT_TRUE(out["labels"].empty());
  // Classification-only parameters are refused before training.
  EXPECT_FALSE(trainer->validate_for("regression", {{"scale_pos_weight", 2}}).is_ok());
  EXPECT_FALSE(trainer->validate_for("regression", {{"early_stopping_metric", "auc"}}).is_ok());
  EXPECT_TRUE(trainer->validate_for("regression", {{"early_stopping_metric", "mae"}}).is_ok());
  EXPECT_FALSE(trainer->validate_for("classification", {{"early_stopping_metric", "mae"}}).is_ok());
  // A label that is not a number cannot be regressed; the message names the row, not the value.
  auto iris = testing::load_iris();
  if (iris) {
    auto words = trainer->train(request, *iris, sink);
    EXPECT_EQ(words.status().code(), ErrorCode::unprocessable);
    EXPECT_EQ(words.status().to_string().find("setosa"), std::string::npos);
  }
}

// GET /api/v1/training-architectures shows these; sending them back is valid.
TEST(XGBoostTrainer, DefaultsValidateAsGiven) {
  auto t = make_xgboost_trainer();
  const nlohmann::json d = t->defaults();
  EXPECT_EQ(d.value("rounds", 0), 300);
  EXPECT_EQ(d.value("max_depth", 0), 3);
  EXPECT_FALSE(d.contains("seed"));
  EXPECT_TRUE(t->validate(d).is_ok()) << d.dump();
  EXPECT_TRUE(t->validate_for("classification", d).is_ok()) << d.dump();
  EXPECT_TRUE(t->validate_for("regression", d).is_ok()) << d.dump();
}

}  // namespace
}  // namespace medai::training

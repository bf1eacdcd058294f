// XGBoost runtime: the test trains a small booster through the C API,
// saves it as JSON, loads it through medai and compares with the in-memory
// booster's own predictions and SHAP contributions.
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <random>

#include "runtime/model_files.h"
#include "runtime/model_runtime.h"
#include "support/temp_dir.h"

namespace medai::runtime {
namespace {

using testing::spec_for;
using testing::TempDir;

constexpr int kRows = 200, kFeatures = 4;

struct Trained {
  BoosterHandle booster = nullptr;
  DMatrixHandle data = nullptr;
  std::vector<float> x;
  ~Trained() {
    if (booster) XGBoosterFree(booster);
    if (data) XGDMatrixFree(data);
  }
};

void train(Trained& t, const std::filesystem::path& out) {
  std::mt19937 rng(3);
  std::normal_distribution<float> n01;
  std::vector<float> y;
  for (int r = 0; r < kRows; ++r) {
    float s = 0;
    for (int f = 0; f < kFeatures; ++f) {
      const float v = n01(rng);
      t.x.push_back(v);
      s += (f == 0 ? 2.0f : f == 1 ? -1.0f : 0.2f) * v;
    }
    y.push_back(s + 0.3f * n01(rng) > 0 ? 1.0f : 0.0f);
  }
  t.x[5] = NAN;  // a missing value
  ASSERT_EQ(XGDMatrixCreateFromMat(t.x.data(), kRows, kFeatures, NAN, &t.data), 0) << XGBGetLastError();
  ASSERT_EQ(XGDMatrixSetFloatInfo(t.data, "label", y.data(), kRows), 0);
  ASSERT_EQ(XGBoosterCreate(&t.data, 1, &t.booster), 0);
  XGBoosterSetParam(t.booster, "objective", "binary:logistic");
  XGBoosterSetParam(t.booster, "max_depth", "3");
  XGBoosterSetParam(t.booster, "nthread", "1");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(XGBoosterUpdateOneIter(t.booster, i, t.data), 0);
  ASSERT_EQ(XGBoosterSaveModel(t.booster, out.c_str()), 0) << XGBGetLastError();
}

std::vector<float> reference(const Trained& t, int type) {
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* res = nullptr;
  EXPECT_EQ(XGBoosterPredictFromDMatrix(t.booster, t.data, config.c_str(), &shape, &dim, &res), 0);
  std::size_t n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  return {res, res + n};
}

TEST(XGBoostRuntime, PredictsLikeTheBoosterThatWroteTheModel) {
  TempDir dir;
  Trained t;
  const auto path = dir / "model.json";
  train(t, path);
  auto rt = std::move(make_runtime("xgboost")).value();
  ASSERT_TRUE(rt->load(spec_for("diabetes@1", "xgboost", path)).is_ok());
  EXPECT_GT(rt->resident_bytes(), 0u);

  auto out = rt->infer({make_f32("features", {kRows, kFeatures}, t.x)});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].name, "predictions");
  EXPECT_EQ((*out)[0].shape, std::vector<std::int64_t>{kRows});
  const auto expected = reference(t, 0);
  ASSERT_EQ((*out)[0].f32.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR((*out)[0].f32[i], expected[i], 1e-6) << i;

  // SHAP contributions on request: [rows, features + 1], summing to the margin.
  out = rt->infer({make_f32("features", {kRows, kFeatures}, t.x), make_i64("pred_contribs", {1}, {1})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 2u);
  const Tensor& c = (*out)[1];
  EXPECT_EQ(c.name, "contributions");
  EXPECT_EQ(c.shape, (std::vector<std::int64_t>{kRows, kFeatures + 1}));
  const auto ref_contribs = reference(t, 2);
  const auto margins = reference(t, 1);
  for (int r = 0; r < kRows; ++r) {
    float sum = 0;
    for (int f = 0; f <= kFeatures; ++f) {
      EXPECT_NEAR(c.f32[r * (kFeatures + 1) + f], ref_contribs[r * (kFeatures + 1) + f], 1e-5);
      sum += c.f32[r * (kFeatures + 1) + f];
    }
    EXPECT_NEAR(sum, margins[r], 1e-4);
  }
  // Feature 0 drives the label most: largest mean |contribution|.
  double m0 = 0, m3 = 0;
  for (int r = 0; r < kRows; ++r) {
    m0 += std::fabs(c.f32[r * (kFeatures + 1)]);
    m3 += std::fabs(c.f32[r * (kFeatures + 1) + 3]);
  }
  EXPECT_GT(m0, m3);
}

TEST(XGBoostRuntime, WrongFeatureCountAndGarbageModelsAreRefused) {
  TempDir dir;
  Trained t;
  train(t, dir / "model.json");
  auto rt = std::move(make_runtime("xgboost")).value();
  ASSERT_TRUE(rt->load(spec_for("m@1", "xgboost", dir / "model.json")).is_ok());
  EXPECT_EQ(rt->infer({zeros_f32("f", {2, kFeatures + 1})}).status().code(), ErrorCode::invalid_input);
  EXPECT_EQ(rt->infer({zeros_f32("f", {kFeatures})}).status().code(), ErrorCode::invalid_input);
  EXPECT_EQ(rt->infer({make_i64("f", {1, kFeatures}, {1, 2, 3, 4})}).status().code(), ErrorCode::invalid_input);
  EXPECT_EQ(rt->infer({}).status().code(), ErrorCode::invalid_input);

  const std::string bytes = testing::slurp(dir / "model.json");
  const std::vector<std::pair<std::string, std::string>> bad{
      {"empty.json", ""},
      {"text.json", "hello"},
      {"half.json", bytes.substr(0, bytes.size() / 2)},
      {"torch.json", std::string("PK\x03\x04", 4) + std::string(100, '\0')}};
  for (const auto& [name, content] : bad) {
    testing::spit(dir / name, content);
    auto fresh = std::move(make_runtime("xgboost")).value();
    Status s = fresh->load(spec_for("bad@1", "xgboost", dir / name));
    EXPECT_EQ(s.code(), ErrorCode::model_load_failed) << name << ": " << s.to_string();
    EXPECT_FALSE(fresh->ready());
  }
}

}  // namespace
}  // namespace medai::runtime

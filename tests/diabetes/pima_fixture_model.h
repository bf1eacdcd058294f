#pragma once
// A test fixture (never shipped): a small XGBoost binary classifier over the
// Pima columns (npreg, glu, bp, skin, bmi, ped, age), trained through the C
// API on synthetic rows where glucose, BMI and age raise the risk. The real
// model is trained by the platform's training service on Pima.tr.
// Deterministic (fixed seed, one thread, exact tree method).
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

namespace medai::testing {

inline const std::vector<std::string>& pima_features() {
  static const std::vector<std::string> f = {"npreg", "glu", "bp", "skin", "bmi", "ped", "age"};
  return f;
}

inline void write_pima_fixture_model(const std::filesystem::path& out) {
  constexpr int kRows = 400, kCols = 7;
  std::mt19937 rng(8);
  std::normal_distribution<float> n01;
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  std::vector<float> x, y;
  for (int r = 0; r < kRows; ++r) {
    const float npreg = std::floor(u01(rng) * 8), glu = 120 + 30 * n01(rng), bp = 72 + 10 * n01(rng);
    const float skin = 29 + 9 * n01(rng), bmi = 32 + 6 * n01(rng), ped = 0.2f + 0.4f * u01(rng);
    const float age = 21 + 50 * u01(rng);
    x.insert(x.end(), {npreg, glu, bp, skin, bmi, ped, age});
    const float logit = 0.06f * (glu - 120) + 0.12f * (bmi - 32) + 0.04f * (age - 40) + 1.5f * (ped - 0.4f);
    y.push_back(u01(rng) < 1.0f / (1.0f + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  DMatrixHandle data = nullptr;
  BoosterHandle booster = nullptr;
  ASSERT_EQ(XGDMatrixCreateFromMat(x.data(), kRows, kCols, NAN, &data), 0) << XGBGetLastError();
  ASSERT_EQ(XGDMatrixSetFloatInfo(data, "label", y.data(), kRows), 0);
  ASSERT_EQ(XGBoosterCreate(&data, 1, &booster), 0);
  XGBoosterSetParam(booster, "objective", "binary:logistic");
  XGBoosterSetParam(booster, "max_depth", "3");
  XGBoosterSetParam(booster, "eta", "0.3");
  XGBoosterSetParam(booster, "nthread", "1");
  XGBoosterSetParam(booster, "tree_method", "exact");
  XGBoosterSetParam(booster, "seed", "1");
  for (int i = 0; i < 30; ++i) ASSERT_EQ(XGBoosterUpdateOneIter(booster, i, data), 0);
  ASSERT_EQ(XGBoosterSaveModel(booster, out.c_str()), 0) << XGBGetLastError();
  XGBoosterFree(booster);
  XGDMatrixFree(data);
}

}  // namespace medai::testing

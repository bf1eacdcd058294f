// Sandboxed check run: the real `medai app check-run` child under rlimits,
// with good, garbage, raising, slow and starved models.
#include <gtest/gtest.h>

#include <random>

#include "runtime/model_check.h"
#include "runtime/model_files.h"
#include "runtime/torchscript_builder.h"
#include "support/temp_dir.h"

namespace medai::runtime {
namespace {

using nlohmann::json;
using testing::TempDir;

json image_manifest() {
  return {{"schema_version", 1},
          {"name", "check-test"},
          {"version", "1.0.0"},
          {"model", {{"runtime", "torchscript"}, {"artifact", "model/model.pt"}, {"threads", 1}}},
          {"input", {{"kind", "image"}, {"patch_size", {4, 4}}, {"channels", 1}}}};
}

std::filesystem::path package_with(const TempDir& dir, const std::string& source) {
  std::filesystem::create_directories(dir / "model");
  Status s = save_torchscript_module(dir / "model" / "model.pt", source, {{"w", {1}, 2.0f, false}});
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return dir.path();
}

TEST(ModelCheck, GoodModelPassesInTheSandboxAndReportsItsOutputs) {
  TempDir dir;
  package_with(dir, "def forward(self, x):\n    return torch.sigmoid(x * self.w)\n");
  json report;
  Status s = check_model_in_sandbox(dir.path(), image_manifest(), MEDAI_BINARY, {}, &report);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_TRUE(report.value("ok", false));
  ASSERT_EQ(report["outputs"].size(), 1u);
  EXPECT_EQ(report["outputs"][0]["shape"], json({1, 1, 4, 4}));
  EXPECT_TRUE(report["outputs"][0]["finite"].get<bool>());
}

TEST(ModelCheck, BuiltInTestInputIsUsedWhenPresent) {
  TempDir dir;
  package_with(dir, "def forward(self, a, b):\n    return a * self.w + b\n");
  std::filesystem::create_directories(dir / "test");
  testing::spit(dir / "test" / "input.json",
                R"({"inputs": [{"name": "a", "datatype": "FP32", "shape": [3], "data": [1, 2, 3]},
                               {"name": "b", "datatype": "FP32", "shape": [3], "data": [0, 0, 1]}]})");
  json report;
  Status s = check_model_in_sandbox(dir.path(), image_manifest(), MEDAI_BINARY, {}, &report);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(report["outputs"][0]["shape"], json({3}));
  // In-process, the same check gives the same answer.
  auto direct = run_model_check(dir.path(), image_manifest());
  ASSERT_TRUE(direct.is_ok()) << direct.status().to_string();
  EXPECT_EQ((*direct)["outputs"], report["outputs"]);
}

TEST(ModelCheck, GarbageModelFailsWithTheLoadError) {
  TempDir dir;
  std::filesystem::create_directories(dir / "model");
  std::mt19937 rng(11);
  std::string noise(20000, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  testing::spit(dir / "model" / "model.pt", std::string("PK\x03\x04", 4) + noise);
  Status s = check_model_in_sandbox(dir.path(), image_manifest(), MEDAI_BINARY);
  EXPECT_EQ(s.code(), ErrorCode::model_check_failed) << s.to_string();
  EXPECT_EQ(s.detail().value("reason", ""), "failed");
  EXPECT_EQ(s.detail().value("error", ""), "model_load_failed") << s.to_string();
}

TEST(ModelCheck, ModelWhoseForwardRaisesFails) {
  TempDir dir;
  package_with(dir,
               "def forward(self, x):\n"
               "    assert bool(x.sum() < -1.0), 'vendor bug'\n"
               "    return x\n");
  Status s = check_model_in_sandbox(dir.path(), image_manifest(), MEDAI_BINARY);
  EXPECT_EQ(s.code(), ErrorCode::model_check_failed) << s.to_string();
  EXPECT_EQ(s.detail().value("error", ""), "inference_failed") << s.to_string();
  EXPECT_NE(s.message().find("vendor bug"), std::string::npos) << s.message();
}

TEST(ModelCheck, EndlessModelIsKilledAtTheTimeout) {
  TempDir dir;
  package_with(dir,
               "def forward(self, x):\n"
               "    for i in range(1000000000000):\n"
               "        x = x + self.w\n"
               "    return x\n");
  SandboxLimits limits;
  limits.timeout = std::chrono::milliseconds(4000);
  const auto t0 = std::chrono::steady_clock::now();
  Status s = check_model_in_sandbox(dir.path(), image_manifest(), MEDAI_BINARY, limits);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(s.code(), ErrorCode::model_check_failed) << s.to_string();
  EXPECT_EQ(s.detail().value("reason", ""), "timeout") << s.to_string();
  EXPECT_LT(took, std::chrono::seconds(30));
}

TEST(ModelCheck, ChildThatDiesWithoutAReportFails) {
  TempDir dir;
  package_with(dir, "def forward(self, x):\n    return x\n");
  SandboxLimits limits;
  limits.address_space_bytes = 32ULL << 20;  // too little even to map LibTorch: the child dies
  Status s = check_model_in_sandbox(dir.path(), image_manifest(), MEDAI_BINARY, limits);
  EXPECT_EQ(s.code(), ErrorCode::model_check_failed) << s.to_string();
  const std::string reason = s.detail().value("reason", "");
  EXPECT_TRUE(reason == "crashed" || reason == "no_report") << s.to_string();
}

TEST(ModelCheck, ManifestProblemsAreReportedNotRun) {
  TempDir dir;
  package_with(dir, "def forward(self, x):\n    return x\n");
  json m = image_manifest();
  m["model"]["artifact"] = "../../etc/passwd";
  EXPECT_EQ(run_model_check(dir.path(), m).status().code(), ErrorCode::invalid_argument);
  m["model"]["artifact"] = "/etc/passwd";
  EXPECT_EQ(run_model_check(dir.path(), m).status().code(), ErrorCode::invalid_argument);
  m["model"]["artifact"] = "model/missing.pt";
  EXPECT_EQ(run_model_check(dir.path(), m).status().code(), ErrorCode::model_load_failed);
  m = image_manifest();
  m["input"] = {{"kind", "volume"}, {"patch_size", {4, 4}}};
  EXPECT_EQ(run_model_check(dir.path(), m).status().code(), ErrorCode::invalid_argument);
  m = image_manifest();
  m["model"]["runtime"] = "caffe";
  Status s = check_model_in_sandbox(dir.path(), m, MEDAI_BINARY);
  EXPECT_EQ(s.code(), ErrorCode::model_check_failed);
  EXPECT_EQ(s.detail().value("error", ""), "invalid_argument") << s.to_string();
  // Tabular zeros come from the feature list.
  m = image_manifest();
  m["input"] = {{"kind", "tabular"}, {"features", {{{"name", "a"}}, {{"name", "b"}}}}};
  auto inputs = check_inputs(dir.path(), m);
  ASSERT_TRUE(inputs.is_ok());
  EXPECT_EQ((*inputs)[0].shape, (std::vector<std::int64_t>{1, 2}));
}

}  // namespace
}  // namespace medai::runtime

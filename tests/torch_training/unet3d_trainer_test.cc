// The "unet3d" trainer on `medai synth rt --small` studies: parameter
// refusal, training that lowers the loss and exports a loadable TorchScript
// model, same seed -> same metrics, and resume after a cancel.
#include <gtest/gtest.h>

#include "manifest_check.h"
#include <torch/script.h>

#include "support/temp_dir.h"
#include "torch_training/fake_training_data.h"
#include "training/torch/hyper_params.h"
#include "training/torch/torch_trainers.h"

namespace medai::training {
namespace {

using testing::FakeTrainingData;
using testing::RecordingSink;

std::unique_ptr<Trainer> unet() {
  TrainerRegistry r;
  register_torch_trainers(r);
  return r.make("unet3d");
}

nlohmann::json small_hyper(int epochs) {
  return {{"epochs", epochs},      {"batch_size", 2},          {"lr", 3e-3},
          {"schedule", "constant"}, {"spacing_mm", {8, 8, 8}}, {"patch_size", {24, 24, 24}},
          {"base_channels", 4},     {"patches_per_volume", 2},  {"augmentation", false}};
}

class Unet3dTrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new medai::testing::TempDir();
    data_ = new FakeTrainingData();
    data_->add_rt_study(*dir_ / "s0", 11, 0, "train");
    data_->add_rt_study(*dir_ / "s1", 11, 1, "train");
    data_->add_rt_study(*dir_ / "s2", 11, 2, "validation");
  }
  static void TearDownTestSuite() {
    delete data_;
    delete dir_;
  }
  TrainingRequest request(const std::string& work, const nlohmann::json& hyper) {
    TrainingRequest r;
    r.job_id = "job";
    r.task = "segmentation";
    r.architecture = "unet3d";
    r.hyper = hyper;
    r.threads = 2;
    r.seed = 7;
    r.work_dir = *dir_ / work;
    return r;
  }
  static medai::testing::TempDir* dir_;
  static FakeTrainingData* data_;
};
medai::testing::TempDir* Unet3dTrainerTest::dir_ = nullptr;
FakeTrainingData* Unet3dTrainerTest::data_ = nullptr;

TEST(Unet3dTrainerValidate, ListsEveryBadParameter) {
  auto t = unet();
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->validate(nlohmann::json::object()).is_ok());
  const nlohmann::json bad{{"epochs", 0},
                           {"batch_size", "two"},
                           {"lr", -1},
                           {"schedule", "sometimes"},
                           {"optimiser", "rmsprop"},
                           {"loss", "weighted_bce"},
                           {"augmentation", {{"flip", 1}, {"twist", true}}},
                           {"patch_size", {30, 32}},
                           {"class_weights", {1, -2}},
                           {"early_stopping", {{"patience", 0}}},
                           {"seed", -3},
                           {"classes", {{"Nodule", nlohmann::json::array()}}},
                           {"learning_rate", 0.1}};
  Status s = t->validate(bad);
  ASSERT_EQ(s.code(), ErrorCode::invalid_argument);
  std::set<std::string> fields;
  for (const auto& p : s.detail()["problems"]) fields.insert(p["field"].get<std::string>());
  for (const char* f : {"epochs", "batch_size", "lr", "schedule", "optimiser", "loss", "augmentation.flip",
                        "augmentation.twist", "patch_size", "class_weights", "early_stopping.patience", "seed",
                        "classes", "learning_rate"})
    EXPECT_TRUE(fields.count(f)) << f;
}

TEST(Unet3dTrainerClasses, PatternsGroupStructuresAndLeaveTheRestOut) {
  auto h = torch_nets::parse_hyper_params(
      "unet3d", {{"classes", {{"Lung", {"Lung_*"}}, {"Nodule", {"Nodule ?", "Nodule ??"}}}}});
  ASSERT_TRUE(h.is_ok()) << h.status().to_string();
  EXPECT_EQ(torch_nets::class_of_structure(*h, "Lung_L"), "Lung");
  EXPECT_EQ(torch_nets::class_of_structure(*h, "Lung_"), "Lung");
  EXPECT_EQ(torch_nets::class_of_structure(*h, "Nodule 3"), "Nodule");
  EXPECT_EQ(torch_nets::class_of_structure(*h, "Nodule 12"), "Nodule");
  EXPECT_EQ(torch_nets::class_of_structure(*h, "Nodule 123"), "");
  EXPECT_EQ(torch_nets::class_of_structure(*h, "Heart"), "");
  auto plain = torch_nets::parse_hyper_params("unet3d", nlohmann::json::object());
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ(torch_nets::class_of_structure(*plain, "Heart"), "Heart");
}

TEST_F(Unet3dTrainerTest, ClassesGroupTheAnnotatedStructures) {
  auto t = unet();
  RecordingSink sink;
  auto hyper = small_hyper(1);
  hyper["classes"] = {{"Body", {"Ext*"}}};
  auto out = t->train(request("run-classes", hyper), *data_, sink);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->report["structures"], nlohmann::json::array({"Body"}));
  const auto& labels = out->manifest_fragment["output"]["labels"];
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0]["name"], "Body");
  auto m = torch::jit::load(out->model_artifact.string());
  auto y = m.forward({torch::zeros({1, 1, 32, 32, 32})}).toTensor();
  EXPECT_EQ(y.size(1), 2);
}

TEST_F(Unet3dTrainerTest, LossDecreasesAndTheExportedModelRuns) {
  auto t = unet();
  RecordingSink sink;
  auto out = t->train(request("run-loss", small_hyper(3)), *data_, sink);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& epochs = out->report["epochs"];
  ASSERT_EQ(epochs.size(), 3u);
  EXPECT_LT(epochs[2]["loss"].get<double>(), epochs[0]["loss"].get<double>());
  EXPECT_TRUE(out->report["splits"]["validation"]["structures"].is_object());
  EXPECT_GT(out->report["splits"]["validation"]["mean_dice"].get<double>(), 0.0);
  // Progress: an epoch-end report per epoch, with validation and loader share.
  int ends = 0;
  for (const auto& p : sink.reports)
    if (p.step == p.steps) {
      ++ends;
      EXPECT_TRUE(p.validation.contains("dice"));
      EXPECT_GE(p.loader_wait_fraction, 0.0);
      EXPECT_GT(p.samples_per_second, 0.0);
    }
  EXPECT_EQ(ends, 3);
  // The artefact is a TorchScript module giving class probabilities.
  EXPECT_EQ(out->runtime, "torchscript");
  auto m = torch::jit::load(out->model_artifact.string());
  const auto classes = out->manifest_fragment["output"]["labels"].size() + 1;
  auto y = m.forward({torch::zeros({1, 1, 32, 32, 32})}).toTensor();
  ASSERT_EQ(y.dim(), 5);
  EXPECT_EQ(y.size(1), static_cast<std::int64_t>(classes));
  EXPECT_NEAR(y.sum(1).mean().item<double>(), 1.0, 1e-4);
  EXPECT_EQ(out->manifest_fragment["pipeline"]["pre"][2]["op"], "sliding_window");
  medai::training::testing::expect_packageable(*out, "unet3d");
}

TEST_F(Unet3dTrainerTest, ResumeAfterCancelEqualsAnUninterruptedRunAndSeedsRepeat) {
  auto t = unet();
  const auto hyper = [] {
    auto h = small_hyper(2);
    h["augmentation"] = true;  // exercise the seeded augmentation too
    return h;
  }();
  RecordingSink straight_sink;
  auto straight = t->train(request("run-a", hyper), *data_, straight_sink);
  ASSERT_TRUE(straight.is_ok()) << straight.status().to_string();

  RecordingSink cancelling(1);
  auto first = t->train(request("run-b", hyper), *data_, cancelling);
  ASSERT_FALSE(first.is_ok());
  EXPECT_EQ(first.status().code(), ErrorCode::cancelled);
  RecordingSink resumed_sink;
  auto resumed = t->train(request("run-b", hyper), *data_, resumed_sink);
  ASSERT_TRUE(resumed.is_ok()) << resumed.status().to_string();
  EXPECT_TRUE(resumed->report["resumed"].get<bool>());
  int epochs_after_resume = 0;
  for (const auto& p : resumed_sink.reports) epochs_after_resume += p.step == p.steps;
  EXPECT_EQ(epochs_after_resume, 1);  // epoch 1 was not repeated

  const auto& a = straight->report["epochs"];
  const auto& b = resumed->report["epochs"];
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t e = 0; e < a.size(); ++e) {
    EXPECT_NEAR(a[e]["loss"].get<double>(), b[e]["loss"].get<double>(), 1e-5) << "epoch " << e + 1;
    EXPECT_NEAR(a[e]["validation"]["dice"].get<double>(), b[e]["validation"]["dice"].get<double>(), 1e-5);
  }
  EXPECT_NEAR(straight->report["splits"]["validation"]["mean_dice"].get<double>(),
              resumed->report["splits"]["validation"]["mean_dice"].get<double>(), 1e-5);

  // A third run with the same seed in a fresh folder repeats the first.
  RecordingSink again_sink;
  auto again = t->train(request("run-c", hyper), *data_, again_sink);
  ASSERT_TRUE(again.is_ok());
  EXPECT_NEAR(again->report["splits"]["validation"]["mean_dice"].get<double>(),
              straight->report["splits"]["validation"]["mean_dice"].get<double>(), 1e-5);
}

TEST_F(Unet3dTrainerTest, UnreadableSeriesIsAClearErrorNamingTheItem) {
  FakeTrainingData broken;
  broken.mutable_items().push_back({"rt", "train", {{"study_uid", "1.2"}, {"series_uid", "9.9"}}});
  RecordingSink sink;
  auto out = unet()->train(request("run-broken", small_hyper(1)), broken, sink);
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), ErrorCode::not_found);
  EXPECT_EQ(out.status().detail()["item"], 0);
}

}  // namespace
}  // namespace medai::training

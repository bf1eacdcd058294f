// "detector3d" on `medai synth chest-ct --small` and "resnet2d" on `medai
// synth mammo --small`: training lowers the loss, reports CPM / AUC, exports
// a TorchScript module of the documented shape; bad parameters are refused.
#include <gtest/gtest.h>

#include "manifest_check.h"
#include <torch/script.h>

#include "support/temp_dir.h"
#include "torch_training/fake_training_data.h"
#include "training/torch/torch_trainers.h"

namespace medai::training {
namespace {

using testing::FakeTrainingData;
using testing::RecordingSink;

std::unique_ptr<Trainer> make(const std::string& arch) {
  TrainerRegistry r;
  register_torch_trainers(r);
  return r.make(arch);
}

TrainingRequest request(const std::filesystem::path& work, const std::string& arch, const nlohmann::json& hyper) {
  TrainingRequest r;
  r.architecture = arch;
  r.hyper = hyper;
  r.threads = 2;
  r.seed = 3;
  r.work_dir = work;
  return r;
}

TEST(TorchTrainers, RegistryOffersTheThreeArchitectures) {
  TrainerRegistry r;
  register_torch_trainers(r);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"detector3d", "resnet2d", "unet3d"}));
  EXPECT_EQ(r.make("resnet2d")->tasks(), std::vector<std::string>{"classification"});
  EXPECT_EQ(r.make("detector3d")->tasks(), std::vector<std::string>{"detection"});
  // Keys of another architecture are problems here.
  Status s = r.make("resnet2d")->validate({{"depth", 3}, {"patch_size", {256, 256, 256}}, {"loss", "dice_ce"}});
  ASSERT_EQ(s.code(), ErrorCode::invalid_argument);
  EXPECT_EQ(s.detail()["problems"].size(), 3u);
  EXPECT_TRUE(r.make("detector3d")->validate({{"loss", "focal"}, {"patch_size", {32, 32, 32}}}).is_ok());
  EXPECT_FALSE(r.make("detector3d")->validate({{"patch_size", {30, 32, 32}}}).is_ok());
}

TEST(TorchTrainers, Detector3dLearnsNoduleCentresAndReportsCpm) {
  medai::testing::TempDir dir;
  FakeTrainingData data;
  data.add_chest_ct(dir / "c0", 5, 0, "train", 3);
  data.add_chest_ct(dir / "c1", 5, 1, "train", 3);
  data.add_chest_ct(dir / "c2", 5, 2, "validation", 2);
  // Every patch centred near a nodule (foreground_fraction 1), 4 steps per
  // epoch: enough for the epoch-mean loss to show learning despite the
  // per-patch normalisation by the number of centres.
  const nlohmann::json hyper{{"epochs", 3},           {"batch_size", 2},         {"lr", 1e-3},
                             {"schedule", "constant"}, {"spacing_mm", {4, 4, 4}}, {"patch_size", {24, 24, 24}},
                             {"base_channels", 4},     {"patches_per_volume", 4}, {"foreground_fraction", 1.0},
                             {"augmentation", false}};
  RecordingSink sink;
  auto out = make("detector3d")->train(request(dir / "work", "detector3d", hyper), data, sink);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& e = out->report["epochs"];
  ASSERT_EQ(e.size(), 3u);
  EXPECT_LT(e[2]["loss"].get<double>(), e[0]["loss"].get<double>());
  const auto& v = out->report["splits"]["validation"];
  EXPECT_GE(v["cpm"].get<double>(), 0.0);
  EXPECT_LE(v["cpm"].get<double>(), 1.0);
  EXPECT_GE(v["nodules"].get<int>(), 2);
  EXPECT_EQ(v["sensitivity_at"].size(), 7u);
  auto m = torch::jit::load(out->model_artifact.string());
  auto y = m.forward({torch::zeros({1, 1, 16, 16, 16})}).toTensor();
  EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{1, 4, 16, 16, 16}));
  EXPECT_GE(y.slice(1, 0, 1).min().item<double>(), 0.0);
  EXPECT_LE(y.slice(1, 0, 1).max().item<double>(), 1.0);
  medai::training::testing::expect_packageable(*out, "detector3d");
}

TEST(TorchTrainers, Resnet2dClassifiesMammogramsAndExportsACam) {
  medai::testing::TempDir dir;
  FakeTrainingData data;
  // 2 exams with a lesion and 2 without for training; 1 + 1 for validation.
  data.add_mammo_exam(dir / "m0", 9, 0, "train", true);
  data.add_mammo_exam(dir / "m1", 9, 1, "train", false);
  data.add_mammo_exam(dir / "m2", 9, 2, "train", true);
  data.add_mammo_exam(dir / "m3", 9, 3, "train", false);
  data.add_mammo_exam(dir / "m4", 9, 4, "validation", true);
  data.add_mammo_exam(dir / "m5", 9, 5, "validation", false);
  // Exam labels are normal / benign / malignant; positive = not normal here.
  for (auto& it : data.mutable_items()) it.label = it.label == "normal" ? "normal" : "lesion";
  const nlohmann::json hyper{{"epochs", 3},         {"batch_size", 4},
                             {"lr", 1e-3},           {"patch_size", {128, 128}},
                             {"channels", {8, 16, 32, 64}}, {"positive_label", "lesion"}, {"pooling", "lse"},
                             {"augmentation", {{"rotate_degrees", 5}, {"scale", 0.05}}}};
  RecordingSink sink;
  auto out = make("resnet2d")->train(request(dir / "work", "resnet2d", hyper), data, sink);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& e = out->report["epochs"];
  ASSERT_EQ(e.size(), 3u);
  EXPECT_LT(e[2]["loss"].get<double>(), e[0]["loss"].get<double>());
  const double auc = out->report["splits"]["validation"]["auc"];
  EXPECT_GE(auc, 0.0);
  EXPECT_LE(auc, 1.0);
  EXPECT_EQ(out->manifest_fragment["output"]["labels"][0]["name"], "lesion");
  EXPECT_EQ(out->manifest_fragment["input"]["patch_size"], nlohmann::json({128, 128}));
  medai::training::testing::expect_packageable(*out, "resnet2d");
  auto m = torch::jit::load(out->model_artifact.string());
  auto x = torch::rand({2, 1, 128, 128});
  // forward gives (score, class-activation map at stride 16).
  auto out_tuple = m.forward({x}).toTuple();
  auto p = out_tuple->elements()[0].toTensor();
  EXPECT_EQ(p.sizes(), (std::vector<std::int64_t>{2, 1}));
  auto cam = out_tuple->elements()[1].toTensor();
  EXPECT_EQ(cam.sizes(), (std::vector<std::int64_t>{2, 1, 8, 8}));
}

TEST(TorchTrainers, Resnet2dRefusesAnUnknownPositiveLabel) {
  medai::testing::TempDir dir;
  FakeTrainingData data;
  data.add_mammo_exam(dir / "m0", 9, 0, "train", true);
  RecordingSink sink;
  auto out = make("resnet2d")->train(request(dir / "work", "resnet2d", {{"positive_label", "cancerous"}}), data, sink);
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::training

// The defaults GET /api/v1/training-architectures shows are the values a job
// gets when it gives none, and a job that sends them back is accepted.
#include <gtest/gtest.h>

#include "training/torch/hyper_params.h"
#include "training/torch/torch_trainers.h"

namespace medai::training {
namespace {

TEST(DefaultHyperParams, AreWhatAnEmptyRequestGetsAndValidateAsGiven) {
  for (const std::string arch : {"unet3d", "detector3d", "resnet2d"}) {
    const nlohmann::json defaults = torch_nets::default_hyper_params(arch);
    ASSERT_FALSE(defaults.empty()) << arch;
    auto implicit = torch_nets::parse_hyper_params(arch, nlohmann::json::object());
    auto explicit_ = torch_nets::parse_hyper_params(arch, defaults);
    ASSERT_TRUE(implicit.is_ok()) << arch;
    ASSERT_TRUE(explicit_.is_ok()) << arch << ": " << explicit_.status().to_string() << " " << defaults.dump();
    const auto &a = *implicit, &b = *explicit_;
    EXPECT_EQ(a.epochs, b.epochs);
    EXPECT_EQ(a.batch_size, b.batch_size);
    EXPECT_DOUBLE_EQ(a.lr, b.lr);
    EXPECT_EQ(a.schedule, b.schedule);
    EXPECT_EQ(a.optimiser, b.optimiser);
    EXPECT_EQ(a.loss, b.loss);
    EXPECT_EQ(a.patch_size, b.patch_size);
    EXPECT_EQ(a.early_stopping.enabled, b.early_stopping.enabled);
    EXPECT_EQ(a.augmentation.flip, b.augmentation.flip);
    EXPECT_DOUBLE_EQ(a.augmentation.rotate_degrees, b.augmentation.rotate_degrees);
    EXPECT_DOUBLE_EQ(a.augmentation.scale, b.augmentation.scale);
    EXPECT_EQ(a.spacing_mm, b.spacing_mm);
    EXPECT_EQ(a.window, b.window);
    EXPECT_EQ(a.base_channels, b.base_channels);
    EXPECT_EQ(a.depth, b.depth);
    EXPECT_EQ(a.channels, b.channels);
    // Only the architecture's own keys: another architecture refuses them.
    const std::string other = arch == "resnet2d" ? "unet3d" : "resnet2d";
    EXPECT_FALSE(torch_nets::parse_hyper_params(other, defaults).is_ok()) << arch << " defaults under " << other;
  }
}

TEST(DefaultHyperParams, EveryRegisteredTorchTrainerValidatesItsDefaults) {
  TrainerRegistry registry;
  register_torch_trainers(registry);
  ASSERT_EQ(registry.names().size(), 3u);
  for (const auto& name : registry.names()) {
    auto trainer = registry.make(name);
    EXPECT_TRUE(trainer->validate(trainer->defaults()).is_ok()) << name << " " << trainer->defaults().dump();
    EXPECT_EQ(trainer->defaults()["loss"], torch_nets::allowed_losses(name).front()) << name;
  }
}

}  // namespace
}  // namespace medai::training

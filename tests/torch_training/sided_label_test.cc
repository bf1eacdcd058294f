// Lateralised labels ("malignant:R"): the class and the breast it applies to.
#include <gtest/gtest.h>

#include "training/torch/resnet2d_trainer.h"

namespace medai::training::torch_nets {
namespace {

TEST(SidedLabel, SplitsClassAndSide) {
  struct Row {
    const char* label;
    const char* name;
    const char* side;
  };
  const Row rows[] = {{"malignant:R", "malignant", "R"}, {"benign:L", "benign", "L"}, {"normal", "normal", ""},
                      {"a:b:L", "a:b", "L"},             {"x:B", "x:B", ""},          {":R", ":R", ""},
                      {"ratio:RR", "ratio:RR", ""},      {"", "", ""}};
  for (const auto& r : rows) {
    const SidedLabel s = split_sided_label(r.label);
    EXPECT_EQ(s.name, r.name) << r.label;
    EXPECT_EQ(s.side, r.side) << r.label;
  }
}

}  // namespace
}  // namespace medai::training::torch_nets

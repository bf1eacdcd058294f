// onnx-opencv runtime: PyTorch (python3-torch) exports a small 2-D CNN to
// ONNX at test time with a reference input and output; medai must agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "runtime/model_files.h"
#include "runtime/model_runtime.h"
#include "support/temp_dir.h"

namespace medai::runtime {
namespace {

using testing::spec_for;
using testing::TempDir;

const char* kExport = R"PY(
import sys, torch
out = sys.argv[1]
torch.manual_seed(0)
m = torch.nn.Sequential(
    torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 8, 3, padding=1), torch.nn.ReLU(),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 3), torch.nn.Softmax(dim=1))
m.eval()
x = torch.randn(2, 1, 32, 32)
with torch.no_grad():
    y = m(x)
torch.onnx.export(m, x, out + "/model.onnx", input_names=["image"], output_names=["probabilities"], opset_version=11)
x.numpy().astype("float32").tofile(out + "/input.f32")
y.numpy().astype("float32").tofile(out + "/expected.f32")
)PY";

std::vector<float> read_f32(const std::filesystem::path& p) {
  const std::string bytes = testing::slurp(p);
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

TEST(OnnxOpenCvRuntime, AgreesWithPyTorchOnAnExported2dCnn) {
  TempDir dir;
  testing::spit(dir / "export.py", kExport);
  const std::string cmd = "/usr/bin/python3 " + (dir / "export.py").string() + " " + dir.path().string() +
                          " > " + (dir / "export.log").string() + " 2>&1";
  if (!std::filesystem::exists("/usr/bin/python3") || std::system(cmd.c_str()) != 0 ||
      !std::filesystem::exists(dir / "model.onnx"))
    GTEST_SKIP() << "torch.onnx.export with /usr/bin/python3 is not possible here: "
                 << testing::slurp(dir / "export.log").substr(0, 400);

  auto rt = std::move(make_runtime("onnx-opencv")).value();
  Status s = rt->load(spec_for("cnn@1", "onnx-opencv", dir / "model.onnx"));
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  auto out = rt->infer({make_f32("image", {2, 1, 32, 32}, read_f32(dir / "input.f32"))});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 1u);
  const auto expected = read_f32(dir / "expected.f32");
  EXPECT_EQ((*out)[0].shape, (std::vector<std::int64_t>{2, 3}));
  ASSERT_EQ((*out)[0].f32.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR((*out)[0].f32[i], expected[i], 1e-4) << i;

  // A wrong channel count is the caller's problem, not a crash.
  auto bad = rt->infer({zeros_f32("image", {1, 3, 32, 32})});
  EXPECT_EQ(bad.status().code(), ErrorCode::invalid_input) << bad.status().to_string();
  EXPECT_EQ(rt->infer({make_i64("image", {1}, {1})}).status().code(), ErrorCode::invalid_input);

  // Truncated and garbage ONNX files are refused.
  const std::string bytes = testing::slurp(dir / "model.onnx");
  for (std::size_t cut : {std::size_t{0}, std::size_t{16}, bytes.size() / 2, bytes.size() - 5}) {
    testing::spit(dir / "cut.onnx", bytes.substr(0, cut));
    auto fresh = std::move(make_runtime("onnx-opencv")).value();
    Status ls = fresh->load(spec_for("cut@1", "onnx-opencv", dir / "cut.onnx"));
    EXPECT_EQ(ls.code(), ErrorCode::model_load_failed) << "cut " << cut << ": " << ls.to_string();
  }
}

}  // namespace
}  // namespace medai::runtime

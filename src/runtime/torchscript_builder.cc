// The second (and last) LibTorch translation unit: builds scripted modules
// from TorchScript source for tests and benchmarks.
#include <torch/script.h>

#include <cmath>

#include "runtime/torchscript_builder.h"

namespace medai::runtime {

Status save_torchscript_module(const std::filesystem::path& path, const std::string& source,
                               const std::vector<ScriptParameter>& parameters, std::uint64_t seed) {
  try {
    torch::manual_seed(seed);
    torch::jit::Module m("medai_model");
    for (const auto& p : parameters) {
      at::Tensor t = p.random ? torch::randn(p.shape) * p.fill : torch::full(p.shape, p.fill);
      m.register_parameter(p.name, t, /*is_buffer=*/false);
    }
    try {
      m.define(source);
    } catch (const std::exception& e) {  // torch::jit::ErrorReport: the source does not compile
      return make_error(ErrorCode::invalid_argument,
                        std::string("TorchScript source does not compile: ") + std::string(e.what()).substr(0, 800));
    }
    m.eval();
    m.save(path.string());
    return Status::ok();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::io_error, std::string("TorchScript module could not be saved: ") + e.what());
  }
}

namespace {

void conv_param(std::vector<ScriptParameter>& ps, const std::string& name, int in, int out, int k) {
  const float he = std::sqrt(2.0f / static_cast<float>(in * k * k * k));
  ps.push_back({name + "_w", {out, in, k, k, k}, he, true});
  ps.push_back({name + "_b", {out}, 0.0f, false});
}

void up_param(std::vector<ScriptParameter>& ps, const std::string& name, int in, int out) {
  const float he = std::sqrt(2.0f / static_cast<float>(in * 8));
  ps.push_back({name + "_w", {in, out, 2, 2, 2}, he, true});  // conv_transpose3d weight: [in, out, k, k, k]
  ps.push_back({name + "_b", {out}, 0.0f, false});
}

}  // namespace

Status save_unet3d_module(const std::filesystem::path& path, int in_channels, int base_channels, int out_channels,
                          std::uint64_t seed) {
  const int c1 = base_channels, c2 = 2 * base_channels, c3 = 4 * base_channels;
  std::vector<ScriptParameter> ps;
  conv_param(ps, "enc1a", in_channels, c1, 3);
  conv_param(ps, "enc1b", c1, c1, 3);
  conv_param(ps, "enc2a", c1, c2, 3);
  conv_param(ps, "enc2b", c2, c2, 3);
  conv_param(ps, "bota", c2, c3, 3);
  conv_param(ps, "botb", c3, c3, 3);
  up_param(ps, "up2", c3, c2);
  conv_param(ps, "dec2a", 2 * c2, c2, 3);
  conv_param(ps, "dec2b", c2, c2, 3);
  up_param(ps, "up1", c2, c1);
  conv_param(ps, "dec1a", 2 * c1, c1, 3);
  conv_param(ps, "dec1b", c1, c1, 3);
  conv_param(ps, "head", c1, out_channels, 1);
  const std::string source = R"TS(
def block(self, x, w1, b1, w2, b2):
    x = torch.relu(torch.conv3d(x, w1, b1, [1, 1, 1], [1, 1, 1]))
    return torch.relu(torch.conv3d(x, w2, b2, [1, 1, 1], [1, 1, 1]))

def forward(self, x):
    e1 = self.block(x, self.enc1a_w, self.enc1a_b, self.enc1b_w, self.enc1b_b)
    e2 = self.block(torch.max_pool3d(e1, [2, 2, 2], [2, 2, 2]), self.enc2a_w, self.enc2a_b, self.enc2b_w, self.enc2b_b)
    b = self.block(torch.max_pool3d(e2, [2, 2, 2], [2, 2, 2]), self.bota_w, self.bota_b, self.botb_w, self.botb_b)
    u2 = torch.conv_transpose3d(b, self.up2_w, self.up2_b, [2, 2, 2])
    d2 = self.block(torch.cat([u2, e2], 1), self.dec2a_w, self.dec2a_b, self.dec2b_w, self.dec2b_b)
    u1 = torch.conv_transpose3d(d2, self.up1_w, self.up1_b, [2, 2, 2])
    d1 = self.block(torch.cat([u1, e1], 1), self.dec1a_w, self.dec1a_b, self.dec1b_w, self.dec1b_b)
    return torch.sigmoid(torch.conv3d(d1, self.head_w, self.head_b))
)TS";
  return save_torchscript_module(path, source, ps, seed);
}

}  // namespace medai::runtime

// LibTorch translation unit: TorchScript sources and parameters of the networks.
#include "training/torch/networks.h"

#include <cmath>
#include <sstream>

namespace medai::training::torch_nets {
namespace {

class Builder {
 public:
  explicit Builder(torch::jit::Module& m) : m_(m) {}
  void conv(const std::string& name, int in, int out, std::vector<std::int64_t> kernel) {
    std::int64_t fan_in = in;
    for (auto k : kernel) fan_in *= k;
    std::vector<std::int64_t> shape{out, in};
    shape.insert(shape.end(), kernel.begin(), kernel.end());
    param(name + "_w", torch::randn(shape) * std::sqrt(2.0 / static_cast<double>(fan_in)));
    param(name + "_b", torch::zeros({out}));
  }
  void up(const std::string& name, int in, int out) {  // conv_transpose3d weight [in, out, 2, 2, 2]
    param(name + "_w", torch::randn({in, out, 2, 2, 2}) * std::sqrt(2.0 / (in * 8.0)));
    param(name + "_b", torch::zeros({out}));
  }
  void norm(const std::string& name, int c, bool running_stats) {
    param(name + "_g", torch::ones({c}));
    param(name + "_h", torch::zeros({c}));
    if (running_stats) {
      m_.register_buffer(name + "_rm", torch::zeros({c}));
      m_.register_buffer(name + "_rv", torch::ones({c}));
    }
  }
  void linear(const std::string& name, int in, int out) {
    param(name + "_w", torch::randn({out, in}) * std::sqrt(1.0 / in));
    param(name + "_b", torch::zeros({out}));
  }

 private:
  void param(const std::string& name, torch::Tensor t) {
    t.set_requires_grad(true);
    m_.register_parameter(name, t, /*is_buffer=*/false);
  }
  torch::jit::Module& m_;
};

std::string block_args(const std::string& n) {
  return "self." + n + "a_w, self." + n + "a_b, self." + n + "a_g, self." + n + "a_h, self." + n + "b_w, self." + n +
         "b_b, self." + n + "b_g, self." + n + "b_h";
}

void unet_params(Builder& b, const NetworkSpec& s, int head_channels) {
  auto block = [&](const std::string& n, int in, int out) {
    b.conv(n + "a", in, out, {3, 3, 3});
    b.norm(n + "a", out, false);
    b.conv(n + "b", out, out, {3, 3, 3});
    b.norm(n + "b", out, false);
  };
  int in = 1;
  for (int l = 0; l <= s.depth; ++l) {
    const int c = s.base_channels << l;
    block("enc" + std::to_string(l), in, c);
    in = c;
  }
  for (int l = s.depth - 1; l >= 0; --l) {
    const int c = s.base_channels << l;
    b.up("up" + std::to_string(l), c * 2, c);
    block("dec" + std::to_string(l), c * 2, c);
  }
  b.conv("head", s.base_channels, head_channels, {1, 1, 1});
  for (int scale : deep_supervision_scales(s)) {
    const int l = static_cast<int>(std::log2(scale));
    b.conv("aux" + std::to_string(l), s.base_channels << l, head_channels, {1, 1, 1});
  }
}

std::string unet_source(const NetworkSpec& s, bool detector) {
  std::ostringstream o;
  o << R"TS(
def block(self, x, w1, b1, g1, h1, w2, b2, g2, h2):
    x = torch.conv3d(x, w1, b1, [1, 1, 1], [1, 1, 1])
    x = torch.leaky_relu(torch.instance_norm(x, g1, h1, None, None, True, 0.1, 1e-5, False), 0.01)
    x = torch.conv3d(x, w2, b2, [1, 1, 1], [1, 1, 1])
    return torch.leaky_relu(torch.instance_norm(x, g2, h2, None, None, True, 0.1, 1e-5, False), 0.01)

def logits(self, x) -> List[Tensor]:
)TS";
  o << "    e0 = self.block(x, " << block_args("enc0") << ")\n";
  for (int l = 1; l <= s.depth; ++l)
    o << "    e" << l << " = self.block(torch.max_pool3d(e" << l - 1 << ", [2, 2, 2], [2, 2, 2]), "
      << block_args("enc" + std::to_string(l)) << ")\n";
  o << "    d = e" << s.depth << "\n    outs: List[Tensor] = []\n";
  const auto scales = deep_supervision_scales(s);
  for (int l = s.depth - 1; l >= 0; --l) {
    o << "    d = torch.conv_transpose3d(d, self.up" << l << "_w, self.up" << l << "_b, [2, 2, 2])\n";
    o << "    d = self.block(torch.cat([d, e" << l << "], 1), " << block_args("dec" + std::to_string(l)) << ")\n";
    if (std::find(scales.begin(), scales.end(), 1 << l) != scales.end())
      o << "    outs.append(torch.conv3d(d, self.aux" << l << "_w, self.aux" << l << "_b))\n";
  }
  o << "    main = torch.conv3d(d, self.head_w, self.head_b)\n";
  // Deep-supervision outputs were appended coarse to fine; return main first, then fine to coarse.
  o << "    outs.reverse()\n    return [main] + outs\n\n";
  if (detector)
    o << "def forward(self, x):\n    y = self.logits(x)[0]\n"
         "    return torch.cat([torch.sigmoid(y[:, 0:1]), torch.relu(y[:, 1:4])], 1)\n";
  else
    o << "def forward(self, x):\n    return torch.softmax(self.logits(x)[0], 1)\n";
  return o.str();
}

void resnet_params(Builder& b, const NetworkSpec& s) {
  const auto& c = s.channels;
  b.conv("stem", 1, c[0], {3, 3});
  b.norm("stem", c[0], true);
  int in = c[0];
  for (int k = 0; k < 4; ++k) {
    const std::string n = "s" + std::to_string(k);
    b.conv(n + "a", in, c[k], {3, 3});
    b.norm(n + "a", c[k], true);
    b.conv(n + "b", c[k], c[k], {3, 3});
    b.norm(n + "b", c[k], true);
    if (k > 0) {
      b.conv(n + "p", in, c[k], {1, 1});
      b.norm(n + "p", c[k], true);
    }
    in = c[k];
  }
  b.linear("fc", c[3], 1);
}

std::string bn(const std::string& x, const std::string& n) {
  return "torch.batch_norm(" + x + ", self." + n + "_g, self." + n + "_h, self." + n + "_rm, self." + n +
         "_rv, self.training, 0.1, 1e-5, False)";
}

std::string resnet_source(const NetworkSpec& s) {
  std::ostringstream o;
  o << "def features(self, x):\n";
  o << "    x = torch.relu(" << bn("torch.conv2d(x, self.stem_w, self.stem_b, [2, 2], [1, 1])", "stem") << ")\n";
  for (int k = 0; k < 4; ++k) {
    const std::string n = "s" + std::to_string(k);
    const std::string stride = k > 0 ? "[2, 2]" : "[1, 1]";
    o << "    y = torch.relu(" << bn("torch.conv2d(x, self." + n + "a_w, self." + n + "a_b, " + stride + ", [1, 1])", n + "a")
      << ")\n";
    o << "    y = " << bn("torch.conv2d(y, self." + n + "b_w, self." + n + "b_b, [1, 1], [1, 1])", n + "b") << "\n";
    if (k > 0)  // the first stage keeps the stem's channels and size: identity shortcut
      o << "    x = " << bn("torch.conv2d(x, self." + n + "p_w, self." + n + "p_b, " + stride + ")", n + "p") << "\n";
    o << "    x = torch.relu(x + y)\n";
  }
  o << "    return x\n\n";
  o << R"TS(def logits(self, x) -> List[Tensor]:
    f = self.features(x)
    return [torch.linear(torch.mean(f, [2, 3]), self.fc_w, self.fc_b)]

def forward(self, x):
    return torch.sigmoid(self.logits(x)[0])

def cam(self, x):
    f = self.features(x)
    m = torch.einsum('nchw,oc->nohw', f, self.fc_w) + self.fc_b.view(1, -1, 1, 1)
    m = torch.upsample_bilinear2d(m, [x.size(2), x.size(3)], False)
    return torch.sigmoid(m)
)TS";
  return o.str();
}

}  // namespace

std::vector<int> deep_supervision_scales(const NetworkSpec& spec) {
  std::vector<int> out;
  if (spec.architecture != "unet3d" || !spec.deep_supervision) return out;
  for (int l = 1; l < spec.depth && l <= 2; ++l) out.push_back(1 << l);
  return out;
}

torch::jit::Module build_network(const NetworkSpec& spec, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::jit::Module m("medai_" + spec.architecture);
  // BatchNorm reads self.training; a C++-built module has no such attribute
  // until one is registered (train()/eval() then flip it).
  if (!m.hasattr("training")) m.register_attribute("training", c10::BoolType::get(), true);
  Builder b(m);
  std::string source;
  if (spec.architecture == "resnet2d") {
    resnet_params(b, spec);
    source = resnet_source(spec);
  } else {
    const bool detector = spec.architecture == "detector3d";
    unet_params(b, spec, detector ? 4 : spec.out_channels);
    source = unet_source(spec, detector);
    if (detector) {  // CenterNet's prior: heat-map starts at sigmoid(-2.19) = 0.1, not 0.5
      torch::NoGradGuard no_grad;
      m.attr("head_b").toTensor()[0].fill_(-2.19);
    }
  }
  m.define(source);
  m.train(true);
  return m;
}

}  // namespace medai::training::torch_nets

// LibTorch translation unit: losses.
#include "training/torch/losses.h"

#include <ATen/ATen.h>

namespace medai::training::torch_nets {
namespace {

torch::Tensor weight_tensor(const std::vector<double>& w, std::int64_t classes) {
  if (w.empty()) return torch::ones({classes});
  std::vector<float> f(w.begin(), w.end());
  f.resize(static_cast<std::size_t>(classes), 1.0f);
  return torch::tensor(f);
}

}  // namespace

torch::Tensor dice_ce_loss(const torch::Tensor& logits, const torch::Tensor& target,
                           const std::vector<double>& class_weights) {
  const std::int64_t c = logits.size(1);
  const auto w = weight_tensor(class_weights, c);
  const auto log_p = at::log_softmax(logits, 1);
  const auto ce = at::nll_loss_nd(log_p, target, w, at::Reduction::Mean, -100);
  const auto p = log_p.exp();
  const auto onehot = at::one_hot(target, c).movedim(-1, 1).to(p.scalar_type());
  std::vector<std::int64_t> dims{0};
  for (std::int64_t d = 2; d < logits.dim(); ++d) dims.push_back(d);
  const auto inter = (p * onehot).sum(dims);
  const auto denom = p.sum(dims) + onehot.sum(dims);
  const auto dice = (2 * inter + 1e-5) / (denom + 1e-5);
  const auto fg = c > 1 ? dice.slice(0, 1) : dice;
  return ce + (1 - fg.mean());
}

torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& target,
                         const std::vector<double>& class_weights, double gamma) {
  const std::int64_t c = logits.size(1);
  const auto log_p = at::log_softmax(logits, 1);
  const auto log_pt = log_p.gather(1, target.unsqueeze(1)).squeeze(1);
  const auto pt = log_pt.exp();
  const auto wt = weight_tensor(class_weights, c).index_select(0, target.flatten()).view_as(target);
  return (-wt * (1 - pt).pow(gamma) * log_pt).mean();
}

torch::Tensor binary_focal_loss(const torch::Tensor& logit, const torch::Tensor& target, double alpha,
                                double gamma) {
  const auto p = torch::sigmoid(logit);
  const auto ce = at::binary_cross_entropy_with_logits(logit, target, {}, {}, at::Reduction::None);
  const auto pt = p * target + (1 - p) * (1 - target);
  const auto a = target * alpha + (1 - target) * (1 - alpha);
  return (a * (1 - pt).pow(gamma) * ce).mean();
}

torch::Tensor weighted_bce_loss(const torch::Tensor& logit, const torch::Tensor& target, double pos_weight) {
  return at::binary_cross_entropy_with_logits(logit, target, {}, torch::full({1}, pos_weight), at::Reduction::Mean);
}

torch::Tensor centernet_loss(const torch::Tensor& logits, const torch::Tensor& heat, const torch::Tensor& size) {
  const auto h = logits.slice(1, 0, 1);
  const auto p = torch::sigmoid(h).clamp(1e-4, 1 - 1e-4);
  const auto pos = heat.eq(1).to(p.scalar_type());
  const auto neg = 1 - pos;
  const auto pos_loss = -(1 - p).pow(2) * p.log() * pos;
  const auto neg_loss = -(1 - heat).pow(4) * p.pow(2) * (1 - p).log() * neg;
  const auto n = pos.sum().clamp_min(1);
  const auto focal = (pos_loss.sum() + neg_loss.sum()) / n;
  const auto s = torch::relu(logits.slice(1, 1, 4));
  const auto l1 = ((s - size).abs() * pos).sum() / (3 * n);
  return focal + 0.1 * l1;
}

}  // namespace medai::training::torch_nets

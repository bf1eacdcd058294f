// LibTorch translation unit: the "unet3d" segmentation trainer.
#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "evaluation/segmentation_metrics.h"
#include "training/torch/imaging_cases.h"
#include "training/torch/losses.h"
#include "training/torch/networks.h"
#include "training/torch/trainer_common.h"
#include "training/torch/training_loop.h"
#include "training/torch/unet3d_trainer.h"

namespace medai::training::torch_nets {
namespace {
using nlohmann::json;

// Start offsets of windows of `size` over `n` voxels with the given overlap
// (the last window ends at the edge; one window when it covers everything).
std::vector<std::int64_t> window_starts(std::int64_t n, std::int64_t size, double overlap) {
  if (n <= size) return {0};
  const std::int64_t stride = std::max<std::int64_t>(1, static_cast<std::int64_t>(size * (1.0 - overlap)));
  std::vector<std::int64_t> out;
  for (std::int64_t s = 0; s + size < n; s += stride) out.push_back(s);
  out.push_back(n - size);
  return out;
}

// Sliding-window inference on the training grid -> label map (argmax): windows
// of the training patch size, half overlapping, Gaussian-weighted (sigma =
// 1/8 of the window), batched. This is how the exported pipeline fragment
// runs the model (sliding_window, overlap 0.5, gaussian): the network
// normalises per instance, so a whole-volume call sees other statistics
// than the patches it was trained on, and validation must score what the
// app will do.
std::vector<std::uint8_t> predict_labels(torch::jit::Module& model, const Case3d& c, const std::array<int, 3>& patch) {
  constexpr double kOverlap = 0.5;
  constexpr int kBatch = 4;
  auto x = torch::from_blob(const_cast<float*>(c.image.data.data()), {1, 1, c.image.nz, c.image.ny, c.image.nx},
                            torch::kFloat32);
  // Pad up to one window where the volume is smaller (background 0 after windowing).
  const std::array<std::int64_t, 3> n{std::max<std::int64_t>(c.image.nz, patch[2]),
                                      std::max<std::int64_t>(c.image.ny, patch[1]),
                                      std::max<std::int64_t>(c.image.nx, patch[0])};
  x = at::constant_pad_nd(x, {0, n[2] - c.image.nx, 0, n[1] - c.image.ny, 0, n[0] - c.image.nz}, 0.0);
  const std::array<std::int64_t, 3> w{patch[2], patch[1], patch[0]};  // z, y, x
  auto axis_weight = [](std::int64_t size) {
    auto i = torch::arange(size, torch::kFloat32) - (size - 1) / 2.0;
    const double sigma = size / 8.0;
    return torch::exp(-(i * i) / (2 * sigma * sigma));
  };
  auto weight = axis_weight(w[0]).view({-1, 1, 1}) * axis_weight(w[1]).view({1, -1, 1}) *
                axis_weight(w[2]).view({1, 1, -1});
  weight = (weight / weight.max()).clamp_min(1e-3);
  torch::Tensor sum, norm = torch::zeros({n[0], n[1], n[2]});
  std::vector<std::array<std::int64_t, 3>> starts;
  for (auto z : window_starts(n[0], w[0], kOverlap))
    for (auto y : window_starts(n[1], w[1], kOverlap))
      for (auto xx : window_starts(n[2], w[2], kOverlap)) starts.push_back({z, y, xx});
  for (std::size_t b = 0; b < starts.size(); b += kBatch) {
    std::vector<torch::Tensor> inputs;
    const std::size_t end = std::min(starts.size(), b + kBatch);
    for (std::size_t i = b; i < end; ++i)
      inputs.push_back(x.slice(2, starts[i][0], starts[i][0] + w[0])
                           .slice(3, starts[i][1], starts[i][1] + w[1])
                           .slice(4, starts[i][2], starts[i][2] + w[2]));
    auto p = model.forward({torch::cat(inputs, 0)}).toTensor();  // [B, C, wz, wy, wx] probabilities
    if (!sum.defined()) sum = torch::zeros({p.size(1), n[0], n[1], n[2]});
    for (std::size_t i = b; i < end; ++i) {
      const auto& st = starts[i];
      auto region = [&](torch::Tensor t, int first) {
        return t.slice(first, st[0], st[0] + w[0]).slice(first + 1, st[1], st[1] + w[1]).slice(first + 2, st[2], st[2] + w[2]);
      };
      region(sum, 1).add_(p[static_cast<std::int64_t>(i - b)] * weight);
      region(norm, 0).add_(weight);
    }
  }
  auto labels = (sum / norm).argmax(0).slice(0, 0, c.image.nz).slice(1, 0, c.image.ny).slice(2, 0, c.image.nx);
  labels = labels.to(torch::kUInt8).contiguous();
  return std::vector<std::uint8_t>(labels.data_ptr<std::uint8_t>(), labels.data_ptr<std::uint8_t>() + labels.numel());
}

// Per structure and case: Dice, HD95, volume error (the evaluation module's functions).
std::vector<evaluation::StructureScore> score_cases(torch::jit::Module& model, const std::vector<Case3d>& cases,
                                                    const std::vector<std::string>& structures,
                                                    const std::array<int, 3>& patch) {
  std::vector<evaluation::StructureScore> out;
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& c = cases[ci];
    const auto pred = predict_labels(model, c, patch);
    std::vector<std::uint8_t> p(pred.size()), r(pred.size());
    for (std::size_t s = 0; s < structures.size(); ++s) {
      const auto value = static_cast<std::uint8_t>(s + 1);
      for (std::size_t v = 0; v < pred.size(); ++v) {
        p[v] = pred[v] == value;
        r[v] = c.label.data[v] == value;
      }
      out.push_back({std::to_string(ci), structures[s],
                     evaluation::score_segmentation(p.data(), r.data(), {c.image.nx, c.image.ny, c.image.nz},
                                                    c.image.spacing)});
    }
  }
  return out;
}

double mean_dice(const std::vector<evaluation::StructureScore>& s) {
  if (s.empty()) return 0;
  double sum = 0;
  for (const auto& x : s) sum += x.score.dice;
  return sum / static_cast<double>(s.size());
}

class Unet3dTrainer final : public TorchTrainer {
 public:
  Unet3dTrainer() : TorchTrainer("unet3d", "segmentation") {}

 private:
  Result<TrainingOutcome> train_impl(const TrainingRequest& request, const TrainingData& data,
                                     TrainingSink& sink) override {
    MEDAI_ASSIGN_OR_RETURN(HyperParams h, parse_hyper_params("unet3d", request.hyper));
    MEDAI_RETURN_IF_ERROR(check_imaging_data(data));
    const std::uint64_t seed = effective_seed(h, request);
    const int threads = std::max(1, request.threads);

    // Load every split; structure names come from the training split.
    std::map<std::string, std::vector<LabelledSeries>> loaded;
    std::set<std::string> names;
    for (const char* split : {"train", "validation", "test"})
      for (std::size_t i : items_of_split(data, split)) {
        MEDAI_ASSIGN_OR_RETURN(auto s, load_labelled_series(data, data.items()[i], i));
        // Structures grouped into the requested classes; unmatched ones become background.
        std::erase_if(s.masks, [&](auto& m) {
          m.name = class_of_structure(h, m.name);
          return m.name.empty();
        });
        if (std::string(split) == "train")
          for (const auto& m : s.masks) names.insert(m.name);
        loaded[split].push_back(std::move(s));
      }
    const std::vector<std::string> structures(names.begin(), names.end());
    if (structures.empty() || structures.size() > 254)
      return make_error(ErrorCode::unprocessable, "the training split needs 1 to 254 annotated structures",
                        {{"structures", structures.size()}});
    if (!h.class_weights.empty() && h.class_weights.size() != structures.size() + 1)
      return make_error(ErrorCode::invalid_argument, "class_weights needs one weight per class (background first)",
                        {{"problems", {{{"field", "class_weights"},
                                        {"message", "expected " + std::to_string(structures.size() + 1) +
                                                        " weights, got " + std::to_string(h.class_weights.size())}}}},
                         {"classes", json(structures)}});
    std::map<std::string, std::vector<Case3d>> cases;
    for (auto& [split, list] : loaded) {
      for (auto& s : list) cases[split].push_back(make_case(s, h, structures, false, threads));
      list.clear();
    }
    const auto& train_cases = cases["train"];
    const auto& val_cases = cases["validation"].empty() ? train_cases : cases["validation"];

    NetworkSpec spec{"unet3d", static_cast<int>(structures.size()) + 1, h.depth, h.base_channels,
                     h.deep_supervision, {}};
    const std::array<int, 3> dims{h.patch_size[0], h.patch_size[1], h.patch_size[2]};
    const std::int64_t samples = static_cast<std::int64_t>(train_cases.size()) * h.patches_per_volume;

    LoopSpec loop = base_loop_spec(h, seed, request, data, samples);
    loop.make_batch = [&, samples](int epoch, std::int64_t step) {
      // The epoch's sample order: a seeded shuffle of (case, repeat) pairs.
      const std::vector<std::int64_t> order = epoch_order(seed, epoch, samples);
      HostBatch b;
      const std::size_t voxels = static_cast<std::size_t>(dims[0]) * dims[1] * dims[2];
      b.input_shape = {h.batch_size, 1, dims[2], dims[1], dims[0]};
      b.target_shape = {h.batch_size, dims[2], dims[1], dims[0]};
      b.input.reserve(voxels * h.batch_size);
      b.target.reserve(voxels * h.batch_size);
      for (int k = 0; k < h.batch_size; ++k) {
        const std::int64_t s = order[static_cast<std::size_t>((step * h.batch_size + k) % samples)];
        auto rng = sample_rng(seed, epoch, step * h.batch_size + k);
        const auto& c = train_cases[static_cast<std::size_t>(s / h.patches_per_volume)];
        Patch3d p = sample_patch(c, dims, h.augmentation, h.foreground_fraction, rng);
        b.input.insert(b.input.end(), p.image.begin(), p.image.end());
        for (auto l : p.label) b.target.push_back(l);
      }
      return b;
    };
    const auto ds_scales = deep_supervision_scales(spec);
    loop.loss = [&h, ds_scales](torch::jit::Module& m, const HostBatch& b) {
      auto x = to_tensor(b.input, b.input_shape);
      auto y = to_tensor(b.target, b.target_shape).to(torch::kLong);
      auto outs = m.get_method("logits")({x}).toTensorVector();
      auto loss_of = [&](const torch::Tensor& logits, const torch::Tensor& target) {
        return h.loss == "focal" ? focal_loss(logits, target, h.class_weights)
                                 : dice_ce_loss(logits, target, h.class_weights);
      };
      torch::Tensor total = loss_of(outs[0], y);
      double weight_sum = 1;
      for (std::size_t i = 1; i < outs.size(); ++i) {
        const int s = ds_scales[i - 1];
        auto ys = y.slice(1, 0, c10::nullopt, s).slice(2, 0, c10::nullopt, s).slice(3, 0, c10::nullopt, s);
        const double w = 1.0 / (1 << i);
        total = total + w * loss_of(outs[i], ys.contiguous());
        weight_sum += w;
      }
      return total / weight_sum;
    };
    loop.validate = [&](torch::jit::Module& m) {
      auto scores = score_cases(m, val_cases, structures, dims);
      const double dice = mean_dice(scores);
      return json{{"dice", dice}, {"score", dice}};
    };

    MEDAI_ASSIGN_OR_RETURN(LoopResult result, run_training_loop(loop, build_network(spec, seed), sink));

    // Final metrics of the best epoch on validation and test.
    json metrics = json::object();
    {
      torch::NoGradGuard no_grad;
      result.best.eval();
      for (const char* split : {"validation", "test"}) {
        if (cases[split].empty()) continue;
        auto s = score_cases(result.best, cases[split], structures, dims);
        json summary = evaluation::summarise_segmentation(s);
        summary["cases"] = cases[split].size();
        metrics[split] = summary;
      }
    }
    TrainingOutcome out;
    out.model_artifact = request.work_dir / "model.pt";
    MEDAI_RETURN_IF_ERROR(export_module(result.best, out.model_artifact));
    out.runtime = "torchscript";
    json labels = json::array();
    for (std::size_t i = 0; i < structures.size(); ++i) labels.push_back({{"value", i + 1}, {"name", structures[i]}});
    const json spacing{h.spacing_mm[0], h.spacing_mm[1], h.spacing_mm[2]};
    // Schema-valid (packages/manifest.schema.json), so `train package` works
    // without an overlay: label values are the network's output channels.
    out.manifest_fragment = {
        {"task", "segmentation"},
        {"modality", series_modalities(data)},
        {"body_part", series_body_parts(data)},
        {"input", {{"kind", "volume"}, {"spacing_mm", spacing}, {"patch_size", h.patch_size},
                   {"window", {{"center", h.window[0]}, {"width", h.window[1]}}}, {"channels", 1}}},
        {"output", {{"labels", labels}}},
        {"writers", {"json", "seg", "rtstruct"}},
        {"pipeline",
         {{"pre", {{{"op", "resample"}, {"spacing_mm", spacing}},
                   {{"op", "window"}, {"center", h.window[0]}, {"width", h.window[1]}},
                   {{"op", "sliding_window"}, {"patch_size", h.patch_size}, {"overlap", 0.5}, {"blend", "gaussian"}}}},
          {"post", {{{"op", "argmax"}}, {{"op", "resample"}, {"to", "source"}}}}}}};
    out.report = loop_report("unet3d", seed, result, "dice", metrics);
    out.report["structures"] = structures;
    out.report["cases"] = json{{"train", train_cases.size()},
                               {"validation", cases["validation"].size()},
                               {"test", cases["test"].size()}};
    return out;
  }
};

}  // namespace

std::unique_ptr<Trainer> make_unet3d_trainer() { return std::make_unique<Unet3dTrainer>(); }

}  // namespace medai::training::torch_nets

// LibTorch translation unit: the "detector3d" nodule-detection trainer.
#include "training/torch/detector3d_trainer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "evaluation/detection_metrics.h"
#include "training/torch/imaging_cases.h"
#include "training/torch/losses.h"
#include "training/torch/networks.h"
#include "training/torch/trainer_common.h"
#include "training/torch/training_loop.h"

namespace medai::training::torch_nets {
namespace {
using nlohmann::json;

struct DetectionCase {
  Case3d volume;                                    // instance label map
  std::vector<evaluation::ReferenceNodule> nodules; // scan_id = case index
};

std::vector<evaluation::ReferenceNodule> reference_nodules(const LabelledSeries& s, const std::string& scan) {
  std::vector<evaluation::ReferenceNodule> out;
  const double voxel = s.image.spacing[0] * s.image.spacing[1] * s.image.spacing[2];
  for (const auto& m : s.masks) {
    double cx = 0, cy = 0, cz = 0, n = 0;
    for (int k = 0; k < m.mask.nz; ++k)
      for (int j = 0; j < m.mask.ny; ++j)
        for (int i = 0; i < m.mask.nx; ++i)
          if (m.mask.at(i, j, k)) {
            cx += i;
            cy += j;
            cz += k;
            ++n;
          }
    if (n == 0) continue;
    const auto p = s.image.position(cx / n, cy / n, cz / n);
    out.push_back({scan, p, 2 * std::cbrt(3 * n * voxel / (4 * M_PI)), false});
  }
  return out;
}

// Heat-map and size targets of one instance-labelled patch.
void centre_targets(const Patch3d& p, std::vector<float>& heat, std::vector<float>& size) {
  const auto& d = p.dims;
  const std::size_t n = p.label.size();
  heat.assign(n, 0.0f);
  size.assign(3 * n, 0.0f);
  struct Acc {
    double sx = 0, sy = 0, sz = 0, count = 0;
    int lo[3] = {1 << 30, 1 << 30, 1 << 30}, hi[3] = {-1, -1, -1};
  };
  std::array<Acc, 256> acc;
  std::size_t o = 0;
  for (int z = 0; z < d[2]; ++z)
    for (int y = 0; y < d[1]; ++y)
      for (int x = 0; x < d[0]; ++x, ++o) {
        const int v = p.label[o];
        if (!v) continue;
        auto& a = acc[v];
        a.sx += x;
        a.sy += y;
        a.sz += z;
        ++a.count;
        const int c[3] = {x, y, z};
        for (int t = 0; t < 3; ++t) {
          a.lo[t] = std::min(a.lo[t], c[t]);
          a.hi[t] = std::max(a.hi[t], c[t]);
        }
      }
  for (int v = 1; v < 256; ++v) {
    const auto& a = acc[v];
    if (a.count == 0) continue;
    const int c[3] = {static_cast<int>(std::lround(a.sx / a.count)), static_cast<int>(std::lround(a.sy / a.count)),
                      static_cast<int>(std::lround(a.sz / a.count))};
    double ext[3], mean_ext = 0;
    for (int t = 0; t < 3; ++t) {
      ext[t] = a.hi[t] - a.lo[t] + 1;
      mean_ext += ext[t] / 3;
    }
    const double sigma = std::max(0.75, mean_ext / 6);
    const int r = static_cast<int>(std::ceil(3 * sigma));
    for (int z = std::max(0, c[2] - r); z <= std::min(d[2] - 1, c[2] + r); ++z)
      for (int y = std::max(0, c[1] - r); y <= std::min(d[1] - 1, c[1] + r); ++y)
        for (int x = std::max(0, c[0] - r); x <= std::min(d[0] - 1, c[0] + r); ++x) {
          const double dd = (x - c[0]) * (x - c[0]) + (y - c[1]) * (y - c[1]) + (z - c[2]) * (z - c[2]);
          const auto idx = (static_cast<std::size_t>(z) * d[1] + y) * d[0] + x;
          heat[idx] = std::max(heat[idx], static_cast<float>(std::exp(-dd / (2 * sigma * sigma))));
        }
    const auto ci = (static_cast<std::size_t>(c[2]) * d[1] + c[1]) * d[0] + c[0];
    heat[ci] = 1.0f;
    for (int t = 0; t < 3; ++t) size[t * n + ci] = static_cast<float>(ext[t] / 10);
  }
}

// Peaks of the heat-map as detections in patient coordinates.
std::vector<evaluation::NoduleDetection> detect(torch::jit::Module& model, const Case3d& c, const std::string& scan,
                                                int multiple) {
  std::array<int, 3> padded;
  const auto& v = c.image;
  for (int a = 0; a < 3; ++a) {
    const int n = a == 0 ? v.nx : a == 1 ? v.ny : v.nz;
    padded[a] = (n + multiple - 1) / multiple * multiple;
  }
  auto x = torch::from_blob(const_cast<float*>(v.data.data()), {1, 1, v.nz, v.ny, v.nx}, torch::kFloat32);
  x = at::constant_pad_nd(x, {0, padded[0] - v.nx, 0, padded[1] - v.ny, 0, padded[2] - v.nz}, 0.0);
  auto heat = model.forward({x}).toTensor().slice(1, 0, 1);
  auto pooled = at::max_pool3d(heat, {3, 3, 3}, {1, 1, 1}, {1, 1, 1});
  auto peaks = (heat == pooled) & (heat > 0.05);
  heat = heat.squeeze(0).squeeze(0).slice(0, 0, v.nz).slice(1, 0, v.ny).slice(2, 0, v.nx).contiguous();
  peaks = peaks.squeeze(0).squeeze(0).slice(0, 0, v.nz).slice(1, 0, v.ny).slice(2, 0, v.nx).contiguous();
  auto idx = peaks.nonzero();  // [K, 3] (z, y, x)
  std::vector<evaluation::NoduleDetection> out;
  for (std::int64_t r = 0; r < idx.size(0); ++r) {
    const int z = static_cast<int>(idx[r][0].item<std::int64_t>()), y = static_cast<int>(idx[r][1].item<std::int64_t>()),
              xx = static_cast<int>(idx[r][2].item<std::int64_t>());
    out.push_back({scan, v.position(xx, y, z), heat[z][y][xx].item<double>()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  if (out.size() > 50) out.resize(50);
  return out;
}

Result<evaluation::FrocResult> froc_of(torch::jit::Module& model, const std::vector<DetectionCase>& cases,
                                       int multiple) {
  std::vector<evaluation::ReferenceNodule> refs;
  std::vector<evaluation::NoduleDetection> dets;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    refs.insert(refs.end(), cases[i].nodules.begin(), cases[i].nodules.end());
    auto d = detect(model, cases[i].volume, std::to_string(i), multiple);
    dets.insert(dets.end(), d.begin(), d.end());
  }
  return evaluation::compute_froc(refs, dets, static_cast<int>(std::max<std::size_t>(1, cases.size())));
}

class Detector3dTrainer final : public TorchTrainer {
 public:
  Detector3dTrainer() : TorchTrainer("detector3d", "detection") {}

 private:
  Result<TrainingOutcome> train_impl(const TrainingRequest& request, const TrainingData& data,
                                     TrainingSink& sink) override {
    MEDAI_ASSIGN_OR_RETURN(HyperParams h, parse_hyper_params("detector3d", request.hyper));
    MEDAI_RETURN_IF_ERROR(check_imaging_data(data));
    const std::uint64_t seed = effective_seed(h, request);
    const int threads = std::max(1, request.threads);
    std::map<std::string, std::vector<DetectionCase>> cases;
    for (const char* split : {"train", "validation", "test"})
      for (std::size_t i : items_of_split(data, split)) {
        MEDAI_ASSIGN_OR_RETURN(auto s, load_labelled_series(data, data.items()[i], i));
        DetectionCase dc;
        dc.nodules = reference_nodules(s, std::to_string(cases[split].size()));
        dc.volume = make_case(s, h, {}, true, threads);
        cases[split].push_back(std::move(dc));
      }
    const auto& train_cases = cases["train"];
    const auto& val_cases = cases["validation"].empty() ? train_cases : cases["validation"];
    NetworkSpec spec;
    spec.architecture = "detector3d";
    spec.depth = 2;
    spec.base_channels = h.base_channels;
    const int multiple = 4;
    const std::array<int, 3> dims{h.patch_size[0], h.patch_size[1], h.patch_size[2]};
    const std::int64_t samples = static_cast<std::int64_t>(train_cases.size()) * h.patches_per_volume;

    LoopSpec loop = base_loop_spec(h, seed, request, data, samples);
    loop.make_batch = [&, samples](int epoch, std::int64_t step) {
      const std::vector<std::int64_t> order = epoch_order(seed, epoch, samples);
      HostBatch b;
      b.input_shape = {h.batch_size, 1, dims[2], dims[1], dims[0]};
      b.target_shape = {h.batch_size, 1, dims[2], dims[1], dims[0]};
      b.extra_shape = {h.batch_size, 3, dims[2], dims[1], dims[0]};
      std::vector<float> heat, size;
      for (int k = 0; k < h.batch_size; ++k) {
        const std::int64_t s = order[static_cast<std::size_t>((step * h.batch_size + k) % samples)];
        auto rng = sample_rng(seed, epoch, step * h.batch_size + k);
        const auto& c = train_cases[static_cast<std::size_t>(s / h.patches_per_volume)].volume;
        Patch3d p = sample_patch(c, dims, h.augmentation, h.foreground_fraction, rng);
        centre_targets(p, heat, size);
        b.input.insert(b.input.end(), p.image.begin(), p.image.end());
        b.target.insert(b.target.end(), heat.begin(), heat.end());
        b.extra.insert(b.extra.end(), size.begin(), size.end());
      }
      return b;
    };
    loop.loss = [](torch::jit::Module& m, const HostBatch& b) {
      auto x = to_tensor(b.input, b.input_shape);
      auto logits = m.get_method("logits")({x}).toTensorVector()[0];
      return centernet_loss(logits, to_tensor(b.target, b.target_shape), to_tensor(b.extra, b.extra_shape));
    };
    loop.validate = [&](torch::jit::Module& m) {
      auto r = froc_of(m, val_cases, multiple);
      const double cpm = r ? r->cpm : 0.0;
      return json{{"cpm", cpm}, {"score", cpm}};
    };
    MEDAI_ASSIGN_OR_RETURN(LoopResult result, run_training_loop(loop, build_network(spec, seed), sink));
    json metrics = json::object();
    {
      torch::NoGradGuard no_grad;
      result.best.eval();
      for (const char* split : {"validation", "test"}) {
        if (cases[split].empty()) continue;
        MEDAI_ASSIGN_OR_RETURN(auto r, froc_of(result.best, cases[split], multiple));
        metrics[split] = evaluation::to_json(r);
      }
    }
    TrainingOutcome out;
    out.model_artifact = request.work_dir / "model.pt";
    MEDAI_RETURN_IF_ERROR(export_module(result.best, out.model_artifact));
    out.runtime = "torchscript";
    const json spacing{h.spacing_mm[0], h.spacing_mm[1], h.spacing_mm[2]};
    // Schema-valid (packages/manifest.schema.json), so `train package` works
    // without an overlay. The network's channels are the centre heat-map
    // (0) and the extents along x, y, z in training-grid voxels / 10 (1-3);
    // the generic post-processing thresholds the heat-map (channel 0) into
    // candidate regions, one finding each.
    out.manifest_fragment = {
        {"task", "detection"},
        {"modality", series_modalities(data)},
        {"body_part", series_body_parts(data)},
        {"input", {{"kind", "volume"}, {"spacing_mm", spacing}, {"patch_size", h.patch_size},
                   {"window", {{"center", h.window[0]}, {"width", h.window[1]}}}, {"channels", 1}}},
        {"output", {{"labels", {{{"value", 1}, {"name", "Nodule"},
                                 {"code", {{"scheme", "SCT"}, {"value", "27925004"}, {"meaning", "Nodule"}}}}}},
                    {"units", "probability"}}},
        {"writers", {"json", "seg", "sr-tid1500"}},
        {"pipeline",
         {{"pre", {{{"op", "resample"}, {"spacing_mm", spacing}},
                   {{"op", "window"}, {"center", h.window[0]}, {"width", h.window[1]}},
                   {{"op", "sliding_window"}, {"patch_size", h.patch_size}, {"overlap", 0.5}, {"blend", "gaussian"}}}},
          {"post", {{{"op", "threshold"}, {"value", 0.3}, {"channel", 0}},
                    {{"op", "connected_components"}, {"connectivity", 26}},
                    {{"op", "nms"}, {"iou", 0.1}, {"max", 50}},
                    {{"op", "measure"}}}}}}};
    out.report = loop_report("detector3d", seed, result, "cpm", metrics);
    return out;
  }
};

}  // namespace

std::unique_ptr<Trainer> make_detector3d_trainer() { return std::make_unique<Detector3dTrainer>(); }

}  // namespace medai::training::torch_nets

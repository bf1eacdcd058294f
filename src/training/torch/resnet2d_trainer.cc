// LibTorch translation unit: the "resnet2d" classification trainer.
#include "training/torch/resnet2d_trainer.h"

#include "evaluation/classification_metrics.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "evaluation/classification_metrics.h"
#include "training/torch/imaging_cases.h"
#include "training/torch/losses.h"
#include "training/torch/networks.h"
#include "training/torch/trainer_common.h"
#include "training/torch/training_loop.h"

namespace medai::training::torch_nets {
namespace {
using nlohmann::json;

struct Sample {
  Image2dCase image;
  std::size_t item = 0;  // position among the split's items
};

SidedLabel split_label(const std::string& label) { return split_sided_label(label); }

Result<std::string> positive_label_of(const TrainingData& data, const HyperParams& h) {
  std::set<std::string> labels;
  for (const auto& it : data.items()) labels.insert(split_label(it.label).name);
  if (!h.positive_label.empty()) {
    if (!labels.count(h.positive_label))
      return make_error(ErrorCode::invalid_argument, "positive_label is not a label of the dataset",
                        {{"problems", {{{"field", "positive_label"}, {"message", "not among the dataset's labels"}}}},
                         {"labels", json(labels)}});
    return h.positive_label;
  }
  for (const char* p : {"malignant", "positive", "abnormal", "cancer", "1", "true", "yes"})
    if (labels.count(p)) return std::string(p);
  if (labels.size() == 2) return *labels.rbegin();
  return make_error(ErrorCode::invalid_argument, "cannot tell which label is positive: set positive_label",
                    {{"labels", json(labels)}});
}

// The item's images labelled `label`, except views of the other breast when
// the label names a side (those are normal: label 0).
Result<std::vector<Image2dCase>> load_sided_cases(const TrainingData& data, const TrainingData::Item& item,
                                                  std::size_t item_index, float label, const std::string& side) {
  if (side.empty()) return load_projection_cases(data, item, item_index, label);
  auto files = data.series_files(item.ref.value("study_uid", ""), item.ref.value("series_uid", ""));
  if (!files) return files.status();
  std::vector<Image2dCase> out;
  for (const auto& f : *files) {
    auto img = imaging::load_projection_image(f);
    if (!img)
      return make_error(img.status().code(), img.status().message(), {{"item", item_index}});
    out.push_back({std::move(img->image), img->laterality == side ? label : 0.0f});
  }
  if (out.empty()) return make_error(ErrorCode::unprocessable, "the item's series has no images", {{"item", item_index}});
  return out;
}

// Item-level scores (max over the item's images) for the given samples.
std::vector<double> item_scores(torch::jit::Module& model, const std::vector<Sample>& samples, std::size_t items,
                                const std::array<int, 2>& dims) {
  std::vector<double> out(items, 0.0);
  std::mt19937_64 unused;
  const int batch = 8;
  for (std::size_t start = 0; start < samples.size(); start += batch) {
    const std::size_t n = std::min<std::size_t>(batch, samples.size() - start);
    std::vector<float> input;
    for (std::size_t k = 0; k < n; ++k) {
      auto p = sample_image(samples[start + k].image, dims, Augmentation{}, false, unused);
      input.insert(input.end(), p.image.begin(), p.image.end());
    }
    auto x = to_tensor(input, {static_cast<std::int64_t>(n), 1, dims[1], dims[0]});
    auto y = model.forward({x}).toTensor().flatten();
    for (std::size_t k = 0; k < n; ++k) {
      auto& s = out[samples[start + k].item];
      s = std::max(s, y[static_cast<std::int64_t>(k)].item<double>());
    }
  }
  return out;
}

// The classifier that is trained: the ResNet (`net`, networks.cc) with its
// linear head applied at every position of the last stage (z, the
// class-activation logits) and the map pooled into one logit:
//   mean: the mean of z (= the network's own global-average-pooled head);
//   lse:  log-sum-exp pooling, (logsumexp(r z) - log n) / r with r = 5, a
//         smooth maximum: a lesion covering 2 of 800 positions still moves
//         the score, where the mean dilutes it 400-fold.
torch::jit::Module classifier(torch::jit::Module net, const std::string& pooling) {
  torch::jit::Module m("medai_resnet2d_classifier");
  m.register_attribute("training", c10::BoolType::get(), true);
  m.register_module("net", net);
  std::string pool = pooling == "lse"
                         ? "    z = 5.0 * z.flatten(1)\n"
                           "    m = torch.amax(z, 1, keepdim=True)\n"
                           "    return (m + torch.log(torch.mean(torch.exp(z - m), 1, keepdim=True))) / 5.0\n"
                         : "    return torch.mean(z.flatten(1), 1, keepdim=True)\n";
  m.define("def cam_logits(self, x):\n"
           "    f = self.net.features(x)\n"
           "    return torch.einsum('nchw,oc->nohw', f, self.net.fc_w) + self.net.fc_b.view(1, -1, 1, 1)\n\n"
           "def pool(self, z):\n" + pool + "\n"
           "def logits(self, x) -> List[Tensor]:\n"
           "    return [self.pool(self.cam_logits(x))]\n\n"
           "def forward(self, x):\n"
           "    return torch.sigmoid(self.logits(x)[0])\n\n"
           "def score_and_cam(self, x) -> Tuple[Tensor, Tensor]:\n"
           "    z = self.cam_logits(x)\n"
           "    return torch.sigmoid(self.pool(z)), torch.sigmoid(z)\n");
  m.train(true);
  return m;
}

// What the package ships: forward(x) -> (score [N,1], cam [N,1,H/16,W/16]),
// both from one pass through the trained classifier, so an app gets the
// heat-map through the plain runtime interface (forward only). The cam is
// sigmoid(z) at the network's stride of 16; the app upsamples it.
torch::jit::Module scoring_module(torch::jit::Module trained) {
  trained.eval();
  torch::jit::Module m("medai_resnet2d_scoring");
  m.register_module("net", trained);
  m.define(R"TS(
def forward(self, x):
    return self.net.score_and_cam(x)
)TS");
  return m;
}

class Resnet2dTrainer final : public TorchTrainer {
 public:
  Resnet2dTrainer() : TorchTrainer("resnet2d", "classification") {}

 private:
  Result<TrainingOutcome> train_impl(const TrainingRequest& request, const TrainingData& data,
                                     TrainingSink& sink) override {
    MEDAI_ASSIGN_OR_RETURN(HyperParams h, parse_hyper_params("resnet2d", request.hyper));
    MEDAI_RETURN_IF_ERROR(check_imaging_data(data));
    MEDAI_ASSIGN_OR_RETURN(std::string positive, positive_label_of(data, h));
    const std::uint64_t seed = effective_seed(h, request);
    const std::array<int, 2> dims{h.patch_size[0], h.patch_size[1]};
    // "mean" | "lse" (validated by parse_hyper_params).
    const std::string pooling = request.hyper.is_object() ? request.hyper.value("pooling", "mean") : "mean";

    std::map<std::string, std::vector<Sample>> samples;
    std::map<std::string, std::vector<int>> item_labels;
    for (const char* split : {"train", "validation", "test"}) {
      const auto idx = items_of_split(data, split);
      for (std::size_t k = 0; k < idx.size(); ++k) {
        const auto& item = data.items()[idx[k]];
        const SidedLabel label = split_label(item.label);
        const float y = label.name == positive ? 1.0f : 0.0f;
        MEDAI_ASSIGN_OR_RETURN(auto images, load_sided_cases(data, item, idx[k], y, label.side));
        for (auto& im : images) samples[split].push_back({std::move(im), k});
        item_labels[split].push_back(static_cast<int>(y));
      }
    }
    const auto& train_samples = samples["train"];
    const bool has_val = !samples["validation"].empty();
    const std::string val_split = has_val ? "validation" : "train";
    double positives = 0;
    for (const auto& s : train_samples) positives += s.image.label;
    const double negatives = static_cast<double>(train_samples.size()) - positives;
    double pos_weight = positives > 0 ? std::clamp(negatives / positives, 1.0, 100.0) : 1.0;
    if (h.class_weights.size() == 2) pos_weight = h.class_weights[1] / h.class_weights[0];
    else if (!h.class_weights.empty())
      return make_error(ErrorCode::invalid_argument, "class_weights needs two weights (negative, positive)",
                        {{"problems", {{{"field", "class_weights"}, {"message", "expected 2 weights"}}}}});

    NetworkSpec spec;
    spec.architecture = "resnet2d";
    spec.channels = h.channels;
    const std::int64_t n = static_cast<std::int64_t>(train_samples.size());
    LoopSpec loop = base_loop_spec(h, seed, request, data, n);
    loop.make_batch = [&, n](int epoch, std::int64_t step) {
      const std::vector<std::int64_t> order = epoch_order(seed, epoch, n);
      HostBatch b;
      b.input_shape = {h.batch_size, 1, dims[1], dims[0]};
      b.target_shape = {h.batch_size, 1};
      for (int k = 0; k < h.batch_size; ++k) {
        const std::int64_t i = order[static_cast<std::size_t>((step * h.batch_size + k) % n)];
        auto rng = sample_rng(seed, epoch, step * h.batch_size + k);
        auto p = sample_image(train_samples[static_cast<std::size_t>(i)].image, dims, h.augmentation,
                              h.augmentation.enabled(), rng);
        b.input.insert(b.input.end(), p.image.begin(), p.image.end());
        b.target.push_back(p.label);
      }
      return b;
    };
    loop.loss = [&h, pos_weight](torch::jit::Module& m, const HostBatch& b) {
      auto x = to_tensor(b.input, b.input_shape);
      auto y = to_tensor(b.target, b.target_shape);
      auto logit = m.get_method("logits")({x}).toTensorVector()[0];
      return h.loss == "focal" ? binary_focal_loss(logit, y, pos_weight / (1 + pos_weight))
                               : weighted_bce_loss(logit, y, pos_weight);
    };
    loop.validate = [&](torch::jit::Module& m) {
      const auto scores = item_scores(m, samples[val_split], item_labels[val_split].size(), dims);
      const double auc = roc_auc(scores, item_labels[val_split]);
      return json{{"auc", auc}, {"score", auc}};
    };

    MEDAI_ASSIGN_OR_RETURN(LoopResult result, run_training_loop(loop, classifier(build_network(spec, seed), pooling), sink));
    json metrics = json::object();
    {
      torch::NoGradGuard no_grad;
      result.best.eval();
      for (const char* split : {"validation", "test"}) {
        if (samples[split].empty()) continue;
        const auto scores = item_scores(result.best, samples[split], item_labels[split].size(), dims);
        metrics[split] = {{"auc", roc_auc(scores, item_labels[split])},
                          {"items", item_labels[split].size()},
                          {"scores", scores},
                          {"labels", item_labels[split]}};
      }
    }
    TrainingOutcome out;
    out.model_artifact = request.work_dir / "model.pt";
    MEDAI_RETURN_IF_ERROR(export_module(scoring_module(result.best), out.model_artifact));
    out.runtime = "torchscript";
    // Schema-valid manifest parts (packages/manifest.schema.json): the input
    // is the whole image scaled to fit patch_size [width, height] (aspect
    // kept, centred, zero padded; presentation values in [0, 1]); forward
    // gives (score, class-activation map at stride 16).
    // Modalities and body parts of the training series (e.g. MG / BREAST).
    out.manifest_fragment = {
        {"task", "classification"},
        {"modality", series_modalities(data)},
        {"body_part", series_body_parts(data)},
        {"input", {{"kind", "image"}, {"patch_size", {dims[0], dims[1]}}, {"channels", 1}}},
        {"output", {{"labels", {{{"value", 1}, {"name", positive}}}}, {"units", "probability"}}},
        {"pipeline", {{"pre", json::array()}, {"post", json::array()}}}};
    out.report = loop_report("resnet2d", seed, result, "auc", metrics);
    out.report["positive_label"] = positive;
    out.report["pos_weight"] = pos_weight;
    out.report["pooling"] = pooling;
    out.report["model_io"] = {
        {"input", "whole image scaled to fit patch_size (aspect kept, centred, zero padded), presentation values "
                  "in [0,1] (VOI LUT/window applied, MONOCHROME1 inverted)"},
        {"output", "forward(x) -> (probability [N,1], class-activation map [N,1,H/16,W/16] in [0,1])"},
        {"aggregation", "item score = max over its images"}};
    return out;
  }
};

}  // namespace

SidedLabel split_sided_label(const std::string& label) {
  const auto colon = label.rfind(':');
  if (colon != std::string::npos && colon + 2 == label.size() && colon > 0 &&
      (label.back() == 'L' || label.back() == 'R'))
    return {label.substr(0, colon), label.substr(colon + 1)};
  return {label, ""};
}

double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels) {
  // The evaluation library's AUC, so validation and `medai evaluate` agree.
  auto auc = evaluation::roc_auc(scores, labels);
  return auc ? *auc : 0.5;
}

std::unique_ptr<Trainer> make_resnet2d_trainer() { return std::make_unique<Resnet2dTrainer>(); }

}  // namespace medai::training::torch_nets

#include <set>
#include "training/torch/trainer_common.h"

#include "core/crypto.h"

namespace medai::training::torch_nets {

std::uint64_t effective_seed(const HyperParams& h, const TrainingRequest& r) { return h.seed.value_or(r.seed); }

std::string run_fingerprint(const TrainingRequest& r, const TrainingData& data, std::uint64_t seed) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : data.items()) items.push_back({it.label, it.split, it.ref});
  const nlohmann::json f{{"architecture", r.architecture}, {"task", r.task},   {"hyper", r.hyper},
                         {"seed", seed},                   {"dataset", r.dataset_id},
                         {"version", r.dataset_version},   {"items", items}};
  return crypto::sha256_hex(f.dump());
}

std::vector<std::size_t> items_of_split(const TrainingData& data, const std::string& split) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < data.items().size(); ++i)
    if (data.items()[i].split == split) out.push_back(i);
  return out;
}

Status check_imaging_data(const TrainingData& data) {
  if (data.kind() != "imaging")
    return make_error(ErrorCode::invalid_argument, "this architecture trains on imaging datasets",
                      {{"kind", data.kind()}});
  if (items_of_split(data, "train").empty())
    return make_error(ErrorCode::invalid_argument, "the dataset has no training items");
  return Status::ok();
}

Result<TrainingOutcome> TorchTrainer::train(const TrainingRequest& request, const TrainingData& data,
                                            TrainingSink& sink) {
  try {
    return train_impl(request, data, sink);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::internal,
                      std::string("training failed in LibTorch: ") + std::string(e.what()).substr(0, 600));
  }
}

namespace {
nlohmann::json distinct_ref_values(const TrainingData& data, const char* field) {
  std::set<std::string> values;
  for (const auto& it : data.items())
    if (const std::string v = it.ref.value(field, ""); !v.empty()) values.insert(v);
  return nlohmann::json(values);
}
}  // namespace

nlohmann::json series_modalities(const TrainingData& data) { return distinct_ref_values(data, "modality"); }
nlohmann::json series_body_parts(const TrainingData& data) { return distinct_ref_values(data, "body_part"); }

}  // namespace medai::training::torch_nets

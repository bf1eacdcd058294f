// LibTorch translation unit: the shared epoch loop and checkpoints.
#include "training/torch/training_loop.h"

#include <algorithm>
#include <numeric>

#include <ATen/Parallel.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/optim.h>
#include <torch/serialize.h>

#include <chrono>
#include <fstream>

#include "training/torch/patch_sampler.h"
#include "training/torch/prefetch_loader.h"
#include "training/torch/trainer_common.h"

namespace medai::training::torch_nets {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<torch::optim::Optimizer> make_optimiser(const HyperParams& h, const std::vector<torch::Tensor>& params) {
  if (h.optimiser == "sgd")
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(h.lr).momentum(0.9).nesterov(true).weight_decay(h.weight_decay));
  return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(h.lr).weight_decay(h.weight_decay));
}

std::vector<torch::Tensor> parameters_of(torch::jit::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) {
    p.set_requires_grad(true);
    out.push_back(p);
  }
  return out;
}

Status write_file_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path tmp = path.string() + ".tmp";
  try {
    write(tmp);
    fs::rename(tmp, path);
    return Status::ok();
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return make_error(ErrorCode::io_error, std::string("cannot write checkpoint: ") + e.what(),
                      {{"file", path.filename().string()}});
  }
}

}  // namespace

torch::Tensor to_tensor(const std::vector<float>& data, const std::vector<std::int64_t>& shape) {
  return torch::from_blob(const_cast<float*>(data.data()), shape, torch::kFloat32).clone();
}

Status export_module(torch::jit::Module module, const fs::path& path) {
  try {
    auto copy = module.clone();
    for (const auto& p : copy.parameters()) p.set_requires_grad(false);
    copy.eval();
    return write_file_atomically(path, [&](const fs::path& tmp) { copy.save(tmp.string()); });
  } catch (const std::exception& e) {
    return make_error(ErrorCode::io_error, std::string("cannot export the TorchScript module: ") + e.what());
  }
}

Result<LoopResult> run_training_loop(const LoopSpec& spec, torch::jit::Module fresh, TrainingSink& sink) {
  at::set_num_threads(std::max(1, spec.threads));  // intra-op pool of this thread; inter-op is left alone
  // The graph executor's profiling and specialisation passes (thread-local
  // switch, restored on return) only add work to conv-bound training and
  // kept ~35 % more memory resident in bench/train_bench (410-430 MB vs
  // 570-590 MB for the 2-D classifier); results are identical.
  torch::jit::GraphOptimizerEnabledGuard plain_executor(false);
  const HyperParams& h = spec.hyper;
  const fs::path dir = spec.work_dir / "checkpoints";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create the checkpoint folder");

  LoopResult r;
  torch::jit::Module model = fresh;
  int start_epoch = 0;
  int bad_epochs = 0;
  bool have_best = false;
  json state;
  try {
    std::ifstream in(dir / "state.json");
    if (in) state = json::parse(in, nullptr, false);
  } catch (...) {
    state = nullptr;
  }
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (state.is_object() && state.value("fingerprint", "") == spec.fingerprint && fs::exists(dir / "last.pt")) {
    try {
      model = torch::jit::load((dir / "last.pt").string());
      auto params = parameters_of(model);
      opt = make_optimiser(h, params);
      torch::load(*opt, (dir / "last_optimizer.pt").string());
      start_epoch = state.value("epochs_done", 0);
      r.history = state.value("history", json::array());
      r.best_epoch = state.value("best_epoch", 0);
      r.best_score = state.value("best_score", 0.0);
      bad_epochs = state.value("bad_epochs", 0);
      have_best = r.best_epoch > 0 && fs::exists(dir / "best.pt");
      r.resumed = true;
    } catch (const std::exception&) {
      // A damaged checkpoint: start afresh rather than fail the job.
      model = fresh;
      opt.reset();
      start_epoch = 0;
      r.history = json::array();
      r.best_epoch = 0;
      bad_epochs = 0;
      have_best = false;
      r.resumed = false;
    }
  }
  if (!opt) opt = make_optimiser(h, parameters_of(model));
  model.train(true);

  double total_samples = 0, total_seconds = 0, total_wait = 0;
  const auto batch_samples = static_cast<double>(h.batch_size);
  for (int epoch = start_epoch; epoch < h.epochs; ++epoch) {
    if (h.early_stopping.enabled && bad_epochs >= h.early_stopping.patience) {
      r.stopped_early = true;
      break;
    }
    const double lr = h.lr * schedule_factor(h.schedule, epoch, h.epochs);
    for (auto& g : opt->param_groups()) g.options().set_lr(lr);
    const auto t0 = Clock::now();
    PrefetchLoader<HostBatch> loader(spec.steps_per_epoch, 3,
                                     [&spec, epoch](std::int64_t step) { return spec.make_batch(epoch, step); });
    double loss_sum = 0;
    std::int64_t steps = 0;
    const std::int64_t report_every = std::max<std::int64_t>(1, spec.steps_per_epoch / 20);
    while (true) {
      if (sink.cancelled())
        return make_error(ErrorCode::cancelled, "training was cancelled",
                          {{"epochs_done", epoch}, {"checkpoint", epoch > 0 ? "last" : "none"}});
      std::optional<HostBatch> batch;
      try {
        batch = loader.next();
      } catch (const std::exception& e) {
        return make_error(ErrorCode::internal, std::string("the data loader failed: ") + e.what());
      }
      if (!batch) break;
      opt->zero_grad();
      torch::Tensor loss = spec.loss(model, *batch);
      loss.backward();
      opt->step();
      loss_sum += loss.item<double>();
      ++steps;
      if (steps % report_every == 0 && steps < spec.steps_per_epoch) {
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        TrainingProgress p;
        p.epoch = epoch + 1;
        p.epochs = h.epochs;
        p.step = steps;
        p.steps = spec.steps_per_epoch;
        p.loss = loss_sum / static_cast<double>(steps);
        p.samples_per_second = secs > 0 ? steps * batch_samples / secs : 0;
        p.loader_wait_fraction = secs > 0 ? loader.wait_seconds() / secs : 0;
        p.eta_seconds = secs / static_cast<double>(steps) *
                        static_cast<double>((h.epochs - epoch) * spec.steps_per_epoch - steps);
        sink.report(p);
      }
    }
    const double train_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const double wait = loader.wait_seconds();
    json validation;
    {
      torch::NoGradGuard no_grad;
      model.eval();
      validation = spec.validate(model);
      model.train(true);
    }
    const double score = validation.value("score", 0.0);
    const double epoch_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    total_samples += static_cast<double>(steps) * batch_samples;
    total_seconds += train_seconds;
    total_wait += wait;
    const bool improved = !have_best || score > r.best_score + h.early_stopping.min_delta;
    if (improved) {
      r.best_score = score;
      r.best_epoch = epoch + 1;
      bad_epochs = 0;
      MEDAI_RETURN_IF_ERROR(write_file_atomically(dir / "best.pt", [&](const fs::path& t) { model.save(t.string()); }));
      have_best = true;
    } else {
      ++bad_epochs;
    }
    const double mean_loss = steps > 0 ? loss_sum / static_cast<double>(steps) : 0;
    r.history.push_back({{"epoch", epoch + 1},
                         {"loss", mean_loss},
                         {"lr", lr},
                         {"validation", validation},
                         {"seconds", epoch_seconds},
                         {"samples_per_second", train_seconds > 0 ? steps * batch_samples / train_seconds : 0},
                         {"loader_wait_fraction", train_seconds > 0 ? wait / train_seconds : 0}});
    MEDAI_RETURN_IF_ERROR(write_file_atomically(dir / "last.pt", [&](const fs::path& t) { model.save(t.string()); }));
    MEDAI_RETURN_IF_ERROR(
        write_file_atomically(dir / "last_optimizer.pt", [&](const fs::path& t) { torch::save(*opt, t.string()); }));
    const json st{{"fingerprint", spec.fingerprint}, {"epochs_done", epoch + 1}, {"history", r.history},
                  {"best_epoch", r.best_epoch},      {"best_score", r.best_score}, {"bad_epochs", bad_epochs}};
    MEDAI_RETURN_IF_ERROR(write_file_atomically(dir / "state.json", [&](const fs::path& t) {
      std::ofstream out(t);
      out << st.dump();
      if (!out) throw std::runtime_error("write failed");
    }));
    TrainingProgress p;
    p.epoch = epoch + 1;
    p.epochs = h.epochs;
    p.step = p.steps = spec.steps_per_epoch;
    p.loss = mean_loss;
    p.validation = validation;
    p.samples_per_second = train_seconds > 0 ? steps * batch_samples / train_seconds : 0;
    p.loader_wait_fraction = train_seconds > 0 ? wait / train_seconds : 0;
    p.eta_seconds = epoch_seconds * (h.epochs - epoch - 1);
    sink.report(p);
  }
  try {
    r.best = have_best ? torch::jit::load((dir / "best.pt").string()) : model;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::io_error, std::string("cannot read the best checkpoint: ") + e.what());
  }
  r.samples_per_second = total_seconds > 0 ? total_samples / total_seconds : 0;
  r.loader_wait_fraction = total_seconds > 0 ? total_wait / total_seconds : 0;
  return r;
}

LoopSpec base_loop_spec(const HyperParams& h, std::uint64_t seed, const TrainingRequest& request,
                        const TrainingData& data, std::int64_t samples) {
  LoopSpec loop;
  loop.hyper = h;
  loop.seed = seed;
  loop.threads = std::max(1, request.threads);
  loop.work_dir = request.work_dir;
  loop.fingerprint = run_fingerprint(request, data, seed);
  loop.steps_per_epoch = (samples + h.batch_size - 1) / h.batch_size;
  return loop;
}

std::vector<std::int64_t> epoch_order(std::uint64_t seed, int epoch, std::int64_t samples) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(samples));
  std::iota(order.begin(), order.end(), 0);
  auto rng = sample_rng(seed, epoch, -1);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

nlohmann::json loop_report(const std::string& architecture, std::uint64_t seed, const LoopResult& result,
                           const std::string& metric, nlohmann::json splits) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& e : result.history)
    curve.push_back({{"epoch", e["epoch"]}, {"loss", e["loss"]}, {"validation_" + metric, e["validation"][metric]}});
  return {{"architecture", architecture},
          {"seed", seed},
          {"best_epoch", result.best_epoch},
          {"best_validation_" + metric, result.best_score},
          {"stopped_early", result.stopped_early},
          {"resumed", result.resumed},
          {"epochs", result.history},
          {"loss_curve", curve},
          {"splits", std::move(splits)},
          {"samples_per_second", result.samples_per_second},
          {"loader_wait_fraction", result.loader_wait_fraction}};
}

}  // namespace medai::training::torch_nets

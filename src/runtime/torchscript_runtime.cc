// TorchScript runtime: torch::jit::load on CPU, eval mode, inference under
// c10::InferenceMode. One of the two translation units that include LibTorch
// (slow to compile); nothing outside src/runtime sees a torch type.
#include <torch/script.h>
#include <ATen/Parallel.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "runtime/model_runtime.h"
#include "runtime/runtimes.h"
#include "runtime/torch_threads.h"

namespace medai::runtime {
namespace {

std::atomic<int> g_default_threads{0};
std::once_flag g_interop_once;

int online_cpus() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

// First line of a c10::Error, capped: torch messages carry C++ backtraces
// and TorchScript source excerpts that help nobody in an API error.
std::string short_message(const std::exception& e) {
  std::string m = e.what();
  if (auto* c10e = dynamic_cast<const c10::Error*>(&e)) m = c10e->what_without_backtrace();
  const auto nl = m.find('\n');
  if (nl != std::string::npos) {
    // TorchScript interpreter errors end with the Python-level line
    // ("AssertionError: ...", "RuntimeError: Expected 4D ..."): keep that line.
    const auto last = m.rfind("Error: ");
    if (last != std::string::npos && last > nl) {
      const auto line_start = m.rfind('\n', last);
      m = m.substr(line_start == std::string::npos ? 0 : line_start + 1);
    } else {
      m = m.substr(0, nl);
    }
    const auto end = m.find('\n');
    if (end != std::string::npos) m = m.substr(0, end);
  }
  if (m.size() > 300) m = m.substr(0, 300) + "...";
  return m;
}

Result<at::Tensor> to_torch(const Tensor& t) {
  MEDAI_RETURN_IF_ERROR(validate_tensor(t));
  if (t.dtype == DType::f32) {
    // from_blob does not copy; clone so the model may keep or modify it.
    return torch::from_blob(const_cast<float*>(t.f32.data()), t.shape, torch::kFloat32).clone();
  }
  return torch::from_blob(const_cast<std::int64_t*>(t.i64.data()), t.shape, torch::kInt64).clone();
}

Status append_output(const std::string& name, const c10::IValue& value, std::vector<Tensor>& out, int depth) {
  if (depth > 8) return make_error(ErrorCode::inference_failed, "model output is nested too deeply");
  if (value.isTensor()) {
    at::Tensor t = value.toTensor().detach().to(torch::kCPU).contiguous();
    Tensor r;
    r.name = name;
    r.shape.assign(t.sizes().begin(), t.sizes().end());
    if (at::isIntegralType(t.scalar_type(), /*includeBool=*/true)) {
      t = t.to(torch::kInt64).contiguous();
      r.dtype = DType::i64;
      r.i64.assign(t.data_ptr<std::int64_t>(), t.data_ptr<std::int64_t>() + t.numel());
    } else if (at::isFloatingType(t.scalar_type())) {
      t = t.to(torch::kFloat32).contiguous();
      r.dtype = DType::f32;
      r.f32.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    } else {
      return make_error(ErrorCode::inference_failed, "model output '" + name + "' has an unsupported element type");
    }
    out.push_back(std::move(r));
    return Status::ok();
  }
  const std::string prefix = name == "output" ? "output_" : name + "_";
  if (value.isTuple()) {
    const auto& elems = value.toTupleRef().elements();
    for (std::size_t i = 0; i < elems.size(); ++i)
      MEDAI_RETURN_IF_ERROR(append_output(prefix + std::to_string(i), elems[i], out, depth + 1));
    return Status::ok();
  }
  if (value.isList()) {
    const auto list = value.toList();
    for (std::size_t i = 0; i < list.size(); ++i)
      MEDAI_RETURN_IF_ERROR(append_output(prefix + std::to_string(i), list.get(i), out, depth + 1));
    return Status::ok();
  }
  if (value.isGenericDict()) {
    for (const auto& entry : value.toGenericDict()) {
      if (!entry.key().isString())
        return make_error(ErrorCode::inference_failed, "model output dictionary has a non-string key");
      const std::string key = entry.key().toStringRef();
      MEDAI_RETURN_IF_ERROR(append_output(depth == 0 ? key : prefix + key, entry.value(), out, depth + 1));
    }
    return Status::ok();
  }
  return make_error(ErrorCode::inference_failed,
                    "model output '" + name + "' is a " + value.tagKind() + ", not a tensor, tuple, list or dict");
}

class TorchScriptRuntime final : public ModelRuntime {
 public:
  ~TorchScriptRuntime() override { unload(); }

  Status load(const ModelSpec& spec) override {
    std::error_code ec;
    const auto size = std::filesystem::file_size(spec.artifact, ec);
    if (ec) return make_error(ErrorCode::model_load_failed, "model file cannot be read: " + ec.message());
    try {
      auto module = std::make_unique<torch::jit::Module>(torch::jit::load(spec.artifact.string(), torch::kCPU));
      module->eval();
      auto method = module->find_method("forward");
      if (!method) return make_error(ErrorCode::model_load_failed, "TorchScript module has no forward method");
      std::size_t bytes = 0;
      for (const auto& p : module->parameters()) bytes += p.numel() * p.element_size();
      for (const auto& b : module->buffers()) bytes += b.numel() * b.element_size();
      // Argument 0 is self.
      const auto& args = method->function().getSchema().arguments();
      input_names_.clear();
      for (std::size_t i = 1; i < args.size(); ++i) input_names_.push_back(args[i].name());
      threads_ = spec.threads;
      resident_bytes_ = std::max<std::size_t>(bytes, size);
      module_ = std::move(module);
      return Status::ok();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::model_load_failed, "not a loadable TorchScript model: " + short_message(e));
    } catch (...) {
      return make_error(ErrorCode::model_load_failed, "not a loadable TorchScript model");
    }
  }

  bool ready() const override { return module_ != nullptr; }

  Result<std::vector<Tensor>> infer(const std::vector<Tensor>& inputs) override {
    if (!module_) return make_error(ErrorCode::model_not_ready, "model is not loaded");
    if (inputs.size() != input_names_.size())
      return make_error(ErrorCode::invalid_input,
                        "model takes " + std::to_string(input_names_.size()) + " input(s), got " +
                            std::to_string(inputs.size()),
                        {{"inputs", input_names_}});
    // Match by name when every name matches a forward argument; else by position.
    std::vector<const Tensor*> ordered(inputs.size(), nullptr);
    bool by_name = true;
    for (const auto& t : inputs) {
      auto it = std::find(input_names_.begin(), input_names_.end(), t.name);
      if (it == input_names_.end() || ordered[it - input_names_.begin()]) {
        by_name = false;
        break;
      }
      ordered[it - input_names_.begin()] = &t;
    }
    if (!by_name)
      for (std::size_t i = 0; i < inputs.size(); ++i) ordered[i] = &inputs[i];
    try {
      const int threads = threads_ > 0 ? threads_ : default_torch_threads();
      if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
      std::vector<c10::IValue> args;
      args.reserve(ordered.size());
      for (const Tensor* t : ordered) {
        MEDAI_ASSIGN_OR_RETURN(at::Tensor tt, to_torch(*t));
        args.emplace_back(std::move(tt));
      }
      c10::InferenceMode guard;
      c10::IValue result = module_->forward(std::move(args));
      std::vector<Tensor> out;
      MEDAI_RETURN_IF_ERROR(append_output("output", result, out, 0));
      return out;
    } catch (const std::exception& e) {
      const std::string m = short_message(e);
      // Shape/type mismatches surface from inside forward; say so plainly.
      const bool looks_like_input = m.find("size") != std::string::npos || m.find("shape") != std::string::npos ||
                                    m.find("Expected") != std::string::npos ||
                                    m.find("dimension") != std::string::npos;
      return make_error(looks_like_input ? ErrorCode::invalid_input : ErrorCode::inference_failed,
                        "model forward failed: " + m,
                        {{"input_shapes", [&] {
                            nlohmann::json s = nlohmann::json::array();
                            for (const auto& t : inputs) s.push_back(t.shape);
                            return s;
                          }()}});
    } catch (...) {
      return make_error(ErrorCode::inference_failed, "model forward failed");
    }
  }

  void unload() override {
    module_.reset();
    resident_bytes_ = 0;
  }

  std::size_t resident_bytes() const override { return module_ ? resident_bytes_ : 0; }

 private:
  std::unique_ptr<torch::jit::Module> module_;
  std::vector<std::string> input_names_;
  std::size_t resident_bytes_ = 0;
  int threads_ = 0;
};

}  // namespace

void configure_torch_threads(int intra_op_threads, int inter_op_threads) {
  const int intra = intra_op_threads > 0 ? intra_op_threads : online_cpus();
  const int inter = inter_op_threads > 0 ? inter_op_threads : online_cpus();
  g_default_threads = intra;
  at::set_num_threads(intra);
  std::call_once(g_interop_once, [inter] {
    try {
      at::set_num_interop_threads(inter);
    } catch (...) {
      // Already started by an earlier inter-op task: keep LibTorch's value.
    }
  });
}

int default_torch_threads() {
  const int v = g_default_threads.load();
  return v > 0 ? v : online_cpus();
}

std::unique_ptr<ModelRuntime> make_torchscript_runtime() { return std::make_unique<TorchScriptRuntime>(); }

}  // namespace medai::runtime

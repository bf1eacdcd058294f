#pragma once
// The one narrow interface every model runtime implements (TorchScript,
// XGBoost, OpenCV DNN ONNX, remote KServe v2): load → ready → infer → unload.
// No LibTorch/XGBoost/OpenCV header appears here or in any other header;
// those stay inside the runtime's own .cc file.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/tensor.h"

namespace medai::runtime {

struct ModelSpec {
  std::string key;      // "name@version" (repository key)
  std::string runtime;  // as in manifest.model.runtime: torchscript | xgboost | onnx-opencv | kserve-v2
  std::filesystem::path artifact;  // model file (not for kserve-v2)
  int threads = 1;                 // intra-op threads for this model's inference (0 = process default)
  nlohmann::json remote;           // kserve-v2: {"url", "model", "version", "token_env", "timeout_ms"}
};

// Contract: load() is called once before anything else; infer() may be
// called concurrently from several threads once ready() (each runtime
// serialises internally where its library needs it); unload() releases the
// model's memory and is idempotent; the destructor unloads. Errors use
// model_load_failed (artifact unreadable, corrupt or of the wrong type),
// invalid_input (tensor count, names, types or shapes the model does not
// accept) and inference_failed (the model itself raised). Messages never
// contain tensor values.
class ModelRuntime {
 public:
  virtual ~ModelRuntime() = default;
  virtual Status load(const ModelSpec& spec) = 0;
  virtual bool ready() const = 0;
  virtual Result<std::vector<Tensor>> infer(const std::vector<Tensor>& inputs) = 0;
  virtual void unload() = 0;
  // Approximate bytes the loaded model keeps in memory (weights, graph);
  // used by the repository's LRU bound. 0 when not loaded.
  virtual std::size_t resident_bytes() const = 0;
};

// A new, unloaded runtime for a manifest runtime name; invalid_argument
// listing the known names when unknown.
Result<std::unique_ptr<ModelRuntime>> make_runtime(const std::string& runtime_name);

// Runtime names make_runtime knows, in documentation order.
const std::vector<std::string>& runtime_names();

}  // namespace medai::runtime

#include "runtime/model_runtime.h"

#include "runtime/runtimes.h"

namespace medai::runtime {

const std::vector<std::string>& runtime_names() {
  static const std::vector<std::string> names{"torchscript", "xgboost", "onnx-opencv", "kserve-v2"};
  return names;
}

Result<std::unique_ptr<ModelRuntime>> make_runtime(const std::string& runtime_name) {
  if (runtime_name == "torchscript") return make_torchscript_runtime();
  if (runtime_name == "xgboost") return make_xgboost_runtime();
  if (runtime_name == "onnx-opencv") return make_onnx_opencv_runtime();
  if (runtime_name == "kserve-v2") return make_kserve_client_runtime();
  return make_error(ErrorCode::invalid_argument, "unknown model runtime '" + runtime_name.substr(0, 40) + "'",
                    {{"known", runtime_names()}});
}

}  // namespace medai::runtime

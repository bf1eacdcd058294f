#pragma once
// Constructors of the concrete runtimes (internal to src/runtime; callers
// use make_runtime). Each lives in its own .cc with its library's headers.
#include <memory>

#include "runtime/model_runtime.h"

namespace medai::runtime {
std::unique_ptr<ModelRuntime> make_torchscript_runtime();
std::unique_ptr<ModelRuntime> make_xgboost_runtime();
std::unique_ptr<ModelRuntime> make_onnx_opencv_runtime();
std::unique_ptr<ModelRuntime> make_kserve_client_runtime();
}  // namespace medai::runtime

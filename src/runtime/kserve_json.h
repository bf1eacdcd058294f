#pragma once
// Tensors in the JSON form of the KServe v2 (Open Inference) protocol:
// {"name", "shape", "datatype", "data"} with row-major data, flat or nested.
// Used by medai's /v2 endpoint and by the kserve-v2 client runtime.
#include <nlohmann/json.hpp>
#include <vector>

#include "core/status.h"
#include "runtime/tensor.h"

namespace medai::runtime {

// Parses the "inputs" (or "outputs") array. FP32/FP64 become f32;
// INT64/INT32/INT16/INT8/UINT8/UINT16/UINT32/BOOL become i64. Errors
// (invalid_input) name the tensor and the problem; nothing is trusted:
// shape and element count must agree, values must be numbers.
Result<std::vector<Tensor>> tensors_from_kserve(const nlohmann::json& array, std::string_view what = "inputs");

// One {"name","shape","datatype","data"} object per tensor (flat data).
nlohmann::json tensors_to_kserve(const std::vector<Tensor>& tensors);

}  // namespace medai::runtime

#pragma once
// Tensors exchanged with model runtimes: a name, an element type, a shape
// and row-major data in the vector that matches the type. Kept free of any
// runtime library header so every module (jobs, http) can use it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace medai::runtime {

enum class DType { f32, i64 };

struct Tensor {
  std::string name;
  DType dtype = DType::f32;
  std::vector<std::int64_t> shape;
  std::vector<float> f32;         // used when dtype == f32
  std::vector<std::int64_t> i64;  // used when dtype == i64
};

// "FP32" / "INT64" (the KServe v2 datatype names).
std::string_view dtype_name(DType dtype);

// Product of the dimensions; error (invalid_input) on a negative dimension
// or an element count above 2^40 (no sane model input is that large).
Result<std::int64_t> element_count(const std::vector<std::int64_t>& shape);

// Checks that the data vector of the tensor's type holds exactly
// element_count(shape) values and the other vector is empty.
// invalid_input naming the tensor otherwise.
Status validate_tensor(const Tensor& tensor);

// Convenience constructors (tests, callers building inputs).
Tensor make_f32(std::string name, std::vector<std::int64_t> shape, std::vector<float> data);
Tensor make_i64(std::string name, std::vector<std::int64_t> shape, std::vector<std::int64_t> data);
// A float tensor of zeros (the check run's default input).
Tensor zeros_f32(std::string name, std::vector<std::int64_t> shape);

// Shape as text, e.g. "[1, 3, 64, 64]", for error messages.
std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace medai::runtime

#include "runtime/tensor.h"

namespace medai::runtime {

std::string_view dtype_name(DType dtype) { return dtype == DType::f32 ? "FP32" : "INT64"; }

Result<std::int64_t> element_count(const std::vector<std::int64_t>& shape) {
  constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) return make_error(ErrorCode::invalid_input, "negative dimension in shape " + shape_text(shape));
    if (d != 0 && n > kMaxElements / d)
      return make_error(ErrorCode::invalid_input, "shape " + shape_text(shape) + " has too many elements");
    n *= d;
  }
  return n;
}

Status validate_tensor(const Tensor& t) {
  MEDAI_ASSIGN_OR_RETURN(const std::int64_t n, element_count(t.shape));
  const std::size_t have = t.dtype == DType::f32 ? t.f32.size() : t.i64.size();
  const std::size_t other = t.dtype == DType::f32 ? t.i64.size() : t.f32.size();
  if (static_cast<std::int64_t>(have) != n || other != 0)
    return make_error(ErrorCode::invalid_input,
                      "tensor '" + t.name + "' has " + std::to_string(have) + " " + std::string(dtype_name(t.dtype)) +
                          " values but shape " + shape_text(t.shape) + " needs " + std::to_string(n),
                      {{"tensor", t.name}, {"shape", t.shape}, {"values", have}});
  return Status::ok();
}

Tensor make_f32(std::string name, std::vector<std::int64_t> shape, std::vector<float> data) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = DType::f32;
  t.shape = std::move(shape);
  t.f32 = std::move(data);
  return t;
}

Tensor make_i64(std::string name, std::vector<std::int64_t> shape, std::vector<std::int64_t> data) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = DType::i64;
  t.shape = std::move(shape);
  t.i64 = std::move(data);
  return t;
}

Tensor zeros_f32(std::string name, std::vector<std::int64_t> shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return make_f32(std::move(name), std::move(shape), std::vector<float>(static_cast<std::size_t>(n), 0.0f));
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace medai::runtime

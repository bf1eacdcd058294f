#include "runtime/kserve_json.h"

#include <cmath>
#include <set>

namespace medai::runtime {
namespace {

using nlohmann::json;

// Appends the numbers of a flat or nested array; false on a non-number.
template <typename T>
bool flatten(const json& v, std::vector<T>& out, bool integral, int depth) {
  if (depth > 8) return false;
  if (v.is_array()) {
    for (const auto& e : v)
      if (!flatten(e, out, integral, depth + 1)) return false;
    return true;
  }
  if (v.is_null() && !integral) {  // how tensors_to_kserve writes NaN/Inf
    out.push_back(static_cast<T>(NAN));
    return true;
  }
  if (v.is_boolean()) {
    out.push_back(static_cast<T>(v.get<bool>() ? 1 : 0));
    return true;
  }
  if (!v.is_number()) return false;
  if (integral) {
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (d != std::floor(d) || std::fabs(d) > 9.0e18) return false;
      out.push_back(static_cast<T>(d));
    } else if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
      out.push_back(static_cast<T>(u));
    } else {
      out.push_back(static_cast<T>(v.get<std::int64_t>()));
    }
  } else {
    out.push_back(static_cast<T>(v.get<double>()));
  }
  return true;
}

}  // namespace

Result<std::vector<Tensor>> tensors_from_kserve(const json& array, std::string_view what) {
  static const std::set<std::string> kFloat{"FP32", "FP64", "FP16"};
  static const std::set<std::string> kInt{"INT64", "INT32", "INT16", "INT8", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL"};
  const std::string w(what);
  if (!array.is_array()) return make_error(ErrorCode::invalid_input, "'" + w + "' must be an array of tensors");
  std::vector<Tensor> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const json& o = array[i];
    const std::string where = w + "[" + std::to_string(i) + "]";
    if (!o.is_object()) return make_error(ErrorCode::invalid_input, where + " must be an object");
    if (!o.contains("name") || !o["name"].is_string() || o["name"].get<std::string>().empty() ||
        o["name"].get<std::string>().size() > 200)
      return make_error(ErrorCode::invalid_input, where + ".name must be a non-empty string");
    Tensor t;
    t.name = o["name"].get<std::string>();
    if (!names.insert(t.name).second) return make_error(ErrorCode::invalid_input, "tensor '" + t.name + "' given twice");
    if (!o.contains("datatype") || !o["datatype"].is_string())
      return make_error(ErrorCode::invalid_input, where + ".datatype must be a string");
    const std::string dt = o["datatype"].get<std::string>();
    if (kFloat.count(dt)) t.dtype = DType::f32;
    else if (kInt.count(dt)) t.dtype = DType::i64;
    else
      return make_error(ErrorCode::invalid_input, "tensor '" + t.name + "' has unsupported datatype '" + dt.substr(0, 20) + "'",
                        {{"supported", {"FP32", "FP64", "INT64", "INT32", "INT16", "INT8", "UINT8", "BOOL"}}});
    if (!o.contains("shape") || !o["shape"].is_array() || o["shape"].size() > 16)
      return make_error(ErrorCode::invalid_input, where + ".shape must be an array of at most 16 integers");
    for (const auto& d : o["shape"]) {
      if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
        return make_error(ErrorCode::invalid_input, where + ".shape must hold non-negative integers");
      t.shape.push_back(d.get<std::int64_t>());
    }
    MEDAI_ASSIGN_OR_RETURN(const std::int64_t n, element_count(t.shape));
    if (!o.contains("data")) return make_error(ErrorCode::invalid_input, where + ".data is missing");
    const bool ok = t.dtype == DType::f32 ? flatten(o["data"], t.f32, false, 0) : flatten(o["data"], t.i64, true, 0);
    if (!ok)
      return make_error(ErrorCode::invalid_input,
                        "tensor '" + t.name + "' data must be numbers" + (t.dtype == DType::i64 ? " (integers)" : ""));
    const std::size_t have = t.dtype == DType::f32 ? t.f32.size() : t.i64.size();
    if (static_cast<std::int64_t>(have) != n)
      return make_error(ErrorCode::invalid_input, "tensor '" + t.name + "' has " + std::to_string(have) +
                                                      " values but shape " + shape_text(t.shape) + " needs " +
                                                      std::to_string(n));
    out.push_back(std::move(t));
  }
  return out;
}

json tensors_to_kserve(const std::vector<Tensor>& tensors) {
  json arr = json::array();
  for (const auto& t : tensors) {
    json o = {{"name", t.name}, {"shape", t.shape}, {"datatype", std::string(dtype_name(t.dtype))}};
    if (t.dtype == DType::f32) {
      json data = json::array();
      for (float v : t.f32) data.push_back(std::isfinite(v) ? json(v) : json(nullptr));  // JSON has no NaN
      o["data"] = std::move(data);
    } else {
      o["data"] = t.i64;
    }
    arr.push_back(std::move(o));
  }
  return arr;
}

}  // namespace medai::runtime

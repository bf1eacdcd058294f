// XGBoost runtime through the C API (the only TU with xgboost headers).
// Input: one FP32 tensor [rows, features] (NaN = missing). Optional control
// input "pred_contribs" (any value != 0) adds SHAP contributions as a
// second output. Outputs: "predictions" ([rows] or [rows, classes]) and
// "contributions" ([rows, features + 1], last column = bias).
#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "runtime/model_runtime.h"
#include "runtime/runtimes.h"

namespace medai::runtime {
namespace {

std::string last_error() {
  std::string m = XGBGetLastError();
  // XGBoost prefixes "[time] path/file.cc:line: " — keep the message only.
  const auto pos = m.rfind(": ");
  if (m.rfind('[', 0) == 0 && pos != std::string::npos) m = m.substr(pos + 2);
  if (m.size() > 300) m = m.substr(0, 300) + "...";
  return m;
}

class DMatrix {
 public:
  ~DMatrix() {
    if (h_) XGDMatrixFree(h_);
  }
  DMatrixHandle* out() { return &h_; }
  DMatrixHandle get() const { return h_; }

 private:
  DMatrixHandle h_ = nullptr;
};

class XGBoostRuntime final : public ModelRuntime {
 public:
  ~XGBoostRuntime() override { unload(); }

  Status load(const ModelSpec& spec) override {
    std::error_code ec;
    const auto size = std::filesystem::file_size(spec.artifact, ec);
    if (ec) return make_error(ErrorCode::model_load_failed, "model file cannot be read: " + ec.message());
    BoosterHandle h = nullptr;
    if (XGBoosterCreate(nullptr, 0, &h) != 0)
      return make_error(ErrorCode::model_load_failed, "XGBoost booster cannot be created: " + last_error());
    if (XGBoosterLoadModel(h, spec.artifact.c_str()) != 0) {
      const std::string m = last_error();
      XGBoosterFree(h);
      return make_error(ErrorCode::model_load_failed, "not a loadable XGBoost model: " + m);
    }
    bst_ulong features = 0;
    if (XGBoosterGetNumFeature(h, &features) != 0 || features == 0) {
      XGBoosterFree(h);
      return make_error(ErrorCode::model_load_failed, "XGBoost model declares no features");
    }
    if (spec.threads > 0) {
      const std::string n = std::to_string(spec.threads);
      XGBoosterSetParam(h, "nthread", n.c_str());
    }
    booster_ = h;
    features_ = static_cast<std::int64_t>(features);
    // In-memory trees take roughly twice the JSON size; the file size is a floor.
    resident_bytes_ = static_cast<std::size_t>(size) * 2;
    return Status::ok();
  }

  bool ready() const override { return booster_ != nullptr; }

  Result<std::vector<Tensor>> infer(const std::vector<Tensor>& inputs) override {
    if (!booster_) return make_error(ErrorCode::model_not_ready, "model is not loaded");
    const Tensor* x = nullptr;
    bool contribs = false;
    for (const auto& t : inputs) {
      MEDAI_RETURN_IF_ERROR(validate_tensor(t));
      if (t.name == "pred_contribs") {
        contribs = (t.dtype == DType::f32 && !t.f32.empty() && t.f32[0] != 0.0f) ||
                   (t.dtype == DType::i64 && !t.i64.empty() && t.i64[0] != 0);
      } else if (x) {
        return make_error(ErrorCode::invalid_input, "XGBoost model takes one feature tensor (plus pred_contribs)");
      } else {
        x = &t;
      }
    }
    if (!x) return make_error(ErrorCode::invalid_input, "no feature tensor given");
    if (x->dtype != DType::f32 || x->shape.size() != 2 || x->shape[1] != features_)
      return make_error(ErrorCode::invalid_input,
                        "XGBoost model expects FP32 [rows, " + std::to_string(features_) + "], got " +
                            std::string(dtype_name(x->dtype)) + " " + shape_text(x->shape),
                        {{"features", features_}});
    const auto rows = static_cast<bst_ulong>(x->shape[0]);

    std::lock_guard lock(mu_);  // prediction caches in the booster are not thread-safe
    DMatrix dm;
    if (XGDMatrixCreateFromMat(x->f32.data(), rows, static_cast<bst_ulong>(features_),
                               std::numeric_limits<float>::quiet_NaN(), dm.out()) != 0)
      return make_error(ErrorCode::invalid_input, "features cannot be read: " + last_error());
    std::vector<Tensor> out;
    MEDAI_ASSIGN_OR_RETURN(Tensor pred, predict(dm, 0, "predictions"));
    out.push_back(std::move(pred));
    if (contribs) {
      MEDAI_ASSIGN_OR_RETURN(Tensor c, predict(dm, 2, "contributions"));
      out.push_back(std::move(c));
    }
    return out;
  }

  void unload() override {
    if (booster_) XGBoosterFree(booster_);
    booster_ = nullptr;
    resident_bytes_ = 0;
  }

  std::size_t resident_bytes() const override { return booster_ ? resident_bytes_ : 0; }

 private:
  Result<Tensor> predict(const DMatrix& dm, int type, const std::string& name) {
    const std::string config = R"({"type": )" + std::to_string(type) +
                               R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    if (XGBoosterPredictFromDMatrix(booster_, dm.get(), config.c_str(), &shape, &dim, &result) != 0)
      return make_error(ErrorCode::inference_failed, "XGBoost prediction failed: " + last_error());
    Tensor t;
    t.name = name;
    t.dtype = DType::f32;
    std::size_t n = 1;
    for (bst_ulong i = 0; i < dim; ++i) {
      t.shape.push_back(static_cast<std::int64_t>(shape[i]));
      n *= shape[i];
    }
    t.f32.assign(result, result + n);
    return t;
  }

  std::mutex mu_;
  BoosterHandle booster_ = nullptr;
  std::int64_t features_ = 0;
  std::size_t resident_bytes_ = 0;
};

}  // namespace

std::unique_ptr<ModelRuntime> make_xgboost_runtime() { return std::make_unique<XGBoostRuntime>(); }

}  // namespace medai::runtime

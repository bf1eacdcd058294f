// ONNX models through OpenCV's DNN module (2-D CNNs; OpenCV 4.6 cannot run
// ConvTranspose3d or 3-D Resize, so 3-D U-Nets belong in TorchScript).
// The only TU with OpenCV DNN headers.
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <mutex>

#include "runtime/model_runtime.h"
#include "runtime/runtimes.h"

namespace medai::runtime {
namespace {

std::string cv_message(const cv::Exception& e) {
  std::string m = e.err.empty() ? e.what() : e.err;
  if (m.size() > 300) m = m.substr(0, 300) + "...";
  return m;
}

class OnnxOpenCvRuntime final : public ModelRuntime {
 public:
  ~OnnxOpenCvRuntime() override { unload(); }

  Status load(const ModelSpec& spec) override {
    std::error_code ec;
    const auto size = std::filesystem::file_size(spec.artifact, ec);
    if (ec) return make_error(ErrorCode::model_load_failed, "model file cannot be read: " + ec.message());
    static std::once_flag quiet;
    // OpenCV prints parser diagnostics to stderr itself; errors reach us as exceptions.
    std::call_once(quiet, [] { cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR); });
    try {
      auto net = std::make_unique<cv::dnn::Net>(cv::dnn::readNetFromONNX(spec.artifact.string()));
      if (net->empty()) return make_error(ErrorCode::model_load_failed, "ONNX model has no layers");
      net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      output_names_ = net->getUnconnectedOutLayersNames();
      threads_ = spec.threads;
      net_ = std::move(net);
      resident_bytes_ = static_cast<std::size_t>(size) * 2;  // weights plus layer buffers, roughly
      return Status::ok();
    } catch (const cv::Exception& e) {
      return make_error(ErrorCode::model_load_failed, "not a loadable ONNX model: " + cv_message(e));
    } catch (const std::exception& e) {
      return make_error(ErrorCode::model_load_failed, std::string("not a loadable ONNX model: ") + e.what());
    } catch (...) {
      return make_error(ErrorCode::model_load_failed, "not a loadable ONNX model");
    }
  }

  bool ready() const override { return net_ != nullptr; }

  Result<std::vector<Tensor>> infer(const std::vector<Tensor>& inputs) override {
    if (!net_) return make_error(ErrorCode::model_not_ready, "model is not loaded");
    if (inputs.empty()) return make_error(ErrorCode::invalid_input, "no input tensor given");
    std::vector<cv::Mat> blobs;
    for (const auto& t : inputs) {
      MEDAI_RETURN_IF_ERROR(validate_tensor(t));
      if (t.dtype != DType::f32) return make_error(ErrorCode::invalid_input, "ONNX inputs must be FP32");
      if (t.shape.empty() || t.shape.size() > 6)
        return make_error(ErrorCode::invalid_input, "ONNX input needs 1 to 6 dimensions, got " + shape_text(t.shape));
      std::vector<int> sizes;
      for (auto d : t.shape) {
        if (d <= 0 || d > (1 << 24)) return make_error(ErrorCode::invalid_input, "bad input shape " + shape_text(t.shape));
        sizes.push_back(static_cast<int>(d));
      }
      blobs.emplace_back(static_cast<int>(sizes.size()), sizes.data(), CV_32F, const_cast<float*>(t.f32.data()));
    }
    std::lock_guard lock(mu_);  // cv::dnn::Net keeps per-call state
    try {
      if (threads_ > 0) cv::setNumThreads(threads_);
      if (inputs.size() == 1) {
        net_->setInput(blobs[0]);
      } else {
        for (std::size_t i = 0; i < inputs.size(); ++i) net_->setInput(blobs[i], inputs[i].name);
      }
      std::vector<cv::Mat> outs;
      net_->forward(outs, output_names_);
      std::vector<Tensor> result;
      for (std::size_t i = 0; i < outs.size(); ++i) {
        cv::Mat m = outs[i].isContinuous() ? outs[i] : outs[i].clone();
        if (m.depth() != CV_32F) m.convertTo(m, CV_32F);
        Tensor t;
        t.name = i < output_names_.size() ? output_names_[i] : "output_" + std::to_string(i);
        for (int d = 0; d < m.size.dims(); ++d) t.shape.push_back(m.size[d]);
        const auto* p = m.ptr<float>();
        t.f32.assign(p, p + m.total() * m.channels());
        result.push_back(std::move(t));
      }
      return result;
    } catch (const cv::Exception& e) {
      return make_error(ErrorCode::invalid_input, "ONNX forward failed (input shape " + shape_text(inputs[0].shape) +
                                                      "): " + cv_message(e));
    } catch (const std::exception& e) {
      return make_error(ErrorCode::inference_failed, std::string("ONNX forward failed: ") + e.what());
    }
  }

  void unload() override {
    std::lock_guard lock(mu_);
    net_.reset();
    resident_bytes_ = 0;
  }

  std::size_t resident_bytes() const override { return net_ ? resident_bytes_ : 0; }

 private:
  std::mutex mu_;
  std::unique_ptr<cv::dnn::Net> net_;
  std::vector<std::string> output_names_;
  std::size_t resident_bytes_ = 0;
  int threads_ = 0;
};

}  // namespace

std::unique_ptr<ModelRuntime> make_onnx_opencv_runtime() { return std::make_unique<OnnxOpenCvRuntime>(); }

}  // namespace medai::runtime

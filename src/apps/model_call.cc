#include "apps/model_call.h"

namespace medai::apps {
namespace {

using runtime::Tensor;

Result<Tensor> first_f32_output(std::vector<Tensor> outputs) {
  if (outputs.empty()) return make_error(ErrorCode::inference_failed, "the model returned no output");
  Tensor& t = outputs.front();
  if (t.dtype != runtime::DType::f32)
    return make_error(ErrorCode::inference_failed, "the model's first output is not float32");
  return std::move(t);
}

}  // namespace

imaging::PatchInferFn patch_infer(std::shared_ptr<runtime::ModelRuntime> model) {
  return [model](const std::vector<float>& batch, int batch_size,
                 const std::array<int, 3>& patch) -> Result<std::vector<float>> {
    Tensor input = runtime::make_f32("input", {batch_size, 1, patch[2], patch[1], patch[0]}, batch);
    MEDAI_ASSIGN_OR_RETURN(auto outputs, model->infer({std::move(input)}));
    MEDAI_ASSIGN_OR_RETURN(Tensor out, first_f32_output(std::move(outputs)));
    if (out.shape.size() != 5 || out.shape[0] != batch_size || out.shape[2] != patch[2] ||
        out.shape[3] != patch[1] || out.shape[4] != patch[0])
      return make_error(ErrorCode::invalid_input,
                        "the model's output for a patch has shape " + runtime::shape_text(out.shape) +
                            "; expected [batch, C, " + std::to_string(patch[2]) + ", " + std::to_string(patch[1]) +
                            ", " + std::to_string(patch[0]) + "]");
    return std::move(out.f32);
  };
}

Result<VolumeOutput> infer_whole_volume(runtime::ModelRuntime& model, const imaging::Volume<float>& image) {
  Tensor input = runtime::make_f32("input", {1, 1, image.nz, image.ny, image.nx}, image.data);
  MEDAI_ASSIGN_OR_RETURN(auto outputs, model.infer({std::move(input)}));
  MEDAI_ASSIGN_OR_RETURN(Tensor out, first_f32_output(std::move(outputs)));
  VolumeOutput result;
  if (out.shape.size() <= 2) {  // [C] or [1, C]: scores
    result.scores = std::move(out.f32);
    return result;
  }
  if (out.shape.size() != 5 || out.shape[0] != 1 || out.shape[2] != image.nz || out.shape[3] != image.ny ||
      out.shape[4] != image.nx)
    return make_error(ErrorCode::invalid_input, "the model's output has shape " + runtime::shape_text(out.shape) +
                                                    "; expected [1, C, D, H, W] of the input or [1, C] scores");
  const std::size_t voxels = image.data.size();
  for (std::int64_t c = 0; c < out.shape[1]; ++c) {
    auto channel = image.like<float>();
    std::copy(out.f32.begin() + static_cast<std::ptrdiff_t>(c * voxels),
              out.f32.begin() + static_cast<std::ptrdiff_t>((c + 1) * voxels), channel.data.begin());
    result.channels.push_back(std::move(channel));
  }
  return result;
}

}  // namespace medai::apps

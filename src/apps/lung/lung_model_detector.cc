#include "apps/lung/lung_model_detector.h"

#include "apps/lung/heatmap_peaks.h"
#include "apps/model_call.h"

#include <algorithm>

namespace medai::apps::lung {

Result<std::vector<Candidate>> detect_with_model(std::shared_ptr<runtime::ModelRuntime> model,
                                                 const nlohmann::json& manifest_pipeline,
                                                 const imaging::Volume<float>& hu, int threads, double min_score,
                                                 bool heat_from_background) {
  MEDAI_ASSIGN_OR_RETURN(imaging::ManifestPipeline pipeline, imaging::parse_manifest_pipeline(manifest_pipeline));
  imaging::PipelineData data;
  data.image = hu;
  imaging::PipelineContext ctx;
  runtime::ModelRuntime* model_holder = model.get();
  ctx.infer = patch_infer(model);
  ctx.threads = threads;
  MEDAI_RETURN_IF_ERROR(imaging::run_pipeline(pipeline.pre, data, ctx));
  if (!data.probabilities.empty())
    return heatmap_peaks(nodule_probability(data.probabilities, heat_from_background), min_score);
  // No sliding window: one whole-volume call, as the trainer validates,
  // padded with 0 (the windowed value of air) at the high end of each axis
  // to a multiple of 4 (the network's two poolings).
  const auto& img = data.image;
  auto up4 = [](int n) { return (n + 3) / 4 * 4; };
  imaging::Volume<float> padded = img.like<float>();
  padded.nx = up4(img.nx);
  padded.ny = up4(img.ny);
  padded.nz = up4(img.nz);
  padded.data.assign(static_cast<std::size_t>(padded.nx) * padded.ny * padded.nz, 0.0f);
  for (int k = 0; k < img.nz; ++k)
    for (int j = 0; j < img.ny; ++j)
      std::copy_n(&img.data[img.index(0, j, k)], img.nx, &padded.data[padded.index(0, j, k)]);
  MEDAI_ASSIGN_OR_RETURN(VolumeOutput out, infer_whole_volume(*model_holder, padded));
  if (out.channels.empty()) return make_error(ErrorCode::invalid_input, "the detector returned no heat-map");
  const imaging::Volume<float> full = nodule_probability(out.channels, heat_from_background);
  imaging::Volume<float> heat = img.like<float>();
  for (int k = 0; k < img.nz; ++k)
    for (int j = 0; j < img.ny; ++j)
      std::copy_n(&full.data[padded.index(0, j, k)], img.nx, &heat.data[heat.index(0, j, k)]);
  return heatmap_peaks(heat, min_score);
}

Result<LungDetector> make_lung_model_detector(const std::filesystem::path& model_path,
                                              const nlohmann::json& manifest_pipeline, int threads,
                                              bool heat_from_background) {
  MEDAI_ASSIGN_OR_RETURN(auto runtime, runtime::make_runtime("torchscript"));
  runtime::ModelSpec spec;
  spec.key = "lung-detector";
  spec.runtime = "torchscript";
  spec.artifact = model_path;
  spec.threads = threads;
  MEDAI_RETURN_IF_ERROR(runtime->load(spec));
  std::shared_ptr<runtime::ModelRuntime> model(std::move(runtime));
  return LungDetector([model, manifest_pipeline, threads, heat_from_background](const imaging::SeriesVolume& s,
                                                          const std::vector<std::filesystem::path>&) {
    return detect_with_model(model, manifest_pipeline, s.volume, threads, 0.05, heat_from_background);
  });
}

}  // namespace medai::apps::lung

#include "apps/lung/lung_model_detector.h"

#include "apps/lung/heatmap_peaks.h"
#include "apps/model_call.h"

namespace medai::apps::lung {

Result<std::vector<Candidate>> detect_with_model(std::shared_ptr<runtime::ModelRuntime> model,
                                                 const nlohmann::json& manifest_pipeline,
                                                 const imaging::Volume<float>& hu, int threads, double min_score) {
  MEDAI_ASSIGN_OR_RETURN(imaging::ManifestPipeline pipeline, imaging::parse_manifest_pipeline(manifest_pipeline));
  imaging::PipelineData data;
  data.image = hu;
  imaging::PipelineContext ctx;
  ctx.infer = patch_infer(std::move(model));
  ctx.threads = threads;
  MEDAI_RETURN_IF_ERROR(imaging::run_pipeline(pipeline.pre, data, ctx));
  if (data.probabilities.empty())
    return make_error(ErrorCode::invalid_pipeline, "the lung detector's pipeline must end with sliding_window");
  return heatmap_peaks(data.probabilities[0], min_score);
}

Result<LungDetector> make_lung_model_detector(const std::filesystem::path& model_path,
                                              const nlohmann::json& manifest_pipeline, int threads) {
  MEDAI_ASSIGN_OR_RETURN(auto runtime, runtime::make_runtime("torchscript"));
  runtime::ModelSpec spec;
  spec.key = "lung-detector";
  spec.runtime = "torchscript";
  spec.artifact = model_path;
  spec.threads = threads;
  MEDAI_RETURN_IF_ERROR(runtime->load(spec));
  std::shared_ptr<runtime::ModelRuntime> model(std::move(runtime));
  return LungDetector([model, manifest_pipeline, threads](const imaging::SeriesVolume& s) {
    return detect_with_model(model, manifest_pipeline, s.volume, threads);
  });
}

}  // namespace medai::apps::lung

#pragma once
// The trained detector as a LungDetector: the package's pre-processing
// pipeline (resample -> window -> sliding_window) on the loaded series, then
// heatmap_peaks on the nodule probability (nodule_probability: channel 0 of a
// detector3d, 1 - background of a unet3d). Sizes come from measure_nodule on
// the CT, not from the network.
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "apps/lung/lung_evaluation.h"
#include "core/status.h"
#include "imaging/pipeline.h"
#include "runtime/model_runtime.h"

namespace medai::apps::lung {

// Candidates of one series through an already loaded model and the
// manifest's "pipeline" (only "pre" is used).
Result<std::vector<Candidate>> detect_with_model(std::shared_ptr<runtime::ModelRuntime> model,
                                                 const nlohmann::json& manifest_pipeline,
                                                 const imaging::Volume<float>& hu, int threads,
                                                 double min_score = 0.05, bool heat_from_background = false);
// The working-grid heat-map of the last call is not kept; see detect_with_model.

// Loads `model_path` (TorchScript) and returns a detector bound to it.
Result<LungDetector> make_lung_model_detector(const std::filesystem::path& model_path,
                                              const nlohmann::json& manifest_pipeline, int threads,
                                              bool heat_from_background = false);

}  // namespace medai::apps::lung

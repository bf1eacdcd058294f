#pragma once
// Between imaging volumes and runtime tensors: the layouts the pipeline and
// the manifest promise a model (NCDHW float32, as PyTorch has it).
#include <memory>
#include <vector>

#include "core/status.h"
#include "imaging/ops/sliding_window.h"
#include "imaging/volume.h"
#include "runtime/model_runtime.h"

namespace medai::apps {

// The patch function sliding_window calls: [B,1,pk,pj,pi] in, the model's
// first output [B,C,pk,pj,pi] out (invalid_input when its shape differs).
imaging::PatchInferFn patch_infer(std::shared_ptr<runtime::ModelRuntime> model);

// What a whole-volume call returned: per-channel probability volumes on the
// image grid (segmentation / detection heads), or per-class scores
// (classification heads: an output of rank <= 2).
struct VolumeOutput {
  std::vector<imaging::Volume<float>> channels;
  std::vector<float> scores;
};

// Runs the model once on the whole working image ([1,1,nz,ny,nx]).
Result<VolumeOutput> infer_whole_volume(runtime::ModelRuntime& model, const imaging::Volume<float>& image);

}  // namespace medai::apps

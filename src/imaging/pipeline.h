#pragma once
// The declared pre- and post-processing of an app (manifest "pipeline":
// {"pre": [{"op": …}, …], "post": […]}), validated against the fixed
// operator library and run on a PipelineData.
//
// Validation (parse_*) checks every step — known op, no unknown parameter,
// types and ranges, and the order of stages (an op must find the data it
// works on: image → probabilities → labels → components) — and fails with
// ErrorCode::invalid_pipeline whose detail.problems lists every problem as
// {"list": "pre"|"post", "index": n, "op": name, "field": name, "problem": text}.
// Array parameters are in (i, j, k) = (x, y, z) order, like spacing; the
// tensors given to the model are NCDHW (see ops/sliding_window.h).
// docs/pipeline.md describes each operator.
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "imaging/ops/connected_components.h"
#include "imaging/ops/contours_op.h"
#include "imaging/ops/crop_pad.h"
#include "imaging/ops/measure.h"
#include "imaging/ops/nms.h"
#include "imaging/ops/normalise.h"
#include "imaging/ops/resample.h"
#include "imaging/ops/sliding_window.h"
#include "imaging/volume.h"

namespace medai::imaging {

// The operator names of manifest schema_version 1.
const std::vector<std::string>& pipeline_op_names();

enum class Stage { image, probabilities, labels, components };

struct ResampleStep {
  std::optional<std::array<double, 3>> spacing_mm;  // else back to the source grid
  Interpolation interpolation = Interpolation::linear;
};
struct WindowStep {
  double center = 0, width = 1;
};
struct NormaliseStep {
  NormaliseOptions options;
};
struct CropPadStep {
  std::array<int, 3> size{0, 0, 0};
  std::optional<double> foreground_above;  // centre on the bounding box of voxels above this value
  double pad_value = 0;
};
// Pads the image at the high end of each axis to the next multiple of
// `multiple` (e.g. a network's 2^depth for one whole-volume call); the origin
// stays, so results map back to the source grid unchanged.
struct PadToMultipleStep {
  int multiple = 4;
  double pad_value = 0;
};
struct SlidingWindowStep {
  std::array<int, 3> patch_size{64, 64, 64};
  double overlap = 0.5;
  Blend blend = Blend::gaussian;
  int batch_size = 1;
};
struct ArgmaxStep {};
struct ThresholdStep {
  double value = 0.5;
  std::optional<int> channel;  // default: the last channel
};
struct ComponentsStep {
  ComponentOptions options;
};
struct NmsStep {
  NmsOptions options;
};
struct ContoursStep {};
struct MeasureStep {};

using PipelineStep = std::variant<ResampleStep, WindowStep, NormaliseStep, CropPadStep, PadToMultipleStep, SlidingWindowStep,
                                  ArgmaxStep, ThresholdStep, ComponentsStep, NmsStep, ContoursStep, MeasureStep>;

struct Pipeline {
  std::vector<PipelineStep> steps;
  std::vector<std::string> names;  // op name per step
};

struct ManifestPipeline {
  Pipeline pre;   // starts from the image
  Pipeline post;  // starts from the model's probabilities
};

// One list of steps, starting at `start`; `list` names it in problems.
Result<Pipeline> parse_pipeline(const nlohmann::json& steps, Stage start = Stage::image,
                                const std::string& list = "pre");
// The manifest's "pipeline" object: {"pre": [...], "post": [...]} (both optional).
Result<ManifestPipeline> parse_manifest_pipeline(const nlohmann::json& pipeline);

// What the steps work on. The caller fills `image` (and so `source` is
// copied from it on the first run) or sets `probabilities` directly for a
// post list after a whole-volume model call.
struct PipelineData {
  Volume<float> source;                      // the input as loaded (HU); measure's intensities, the grid to go back to
  Volume<float> image;                       // the working image
  std::vector<Volume<float>> probabilities;  // model output, one volume per channel
  std::optional<Volume<std::uint8_t>> labels;
  int score_channel = -1;  // channel that scores components: the thresholded one; -1 = the last
  std::optional<Components> components;
  std::vector<Measurement> measurements;
  std::vector<SliceContours> contours;
  // A JSON record of what each step did (for the job result).
  nlohmann::json log = nlohmann::json::array();
};

struct PipelineContext {
  PatchInferFn infer;                     // needed by sliding_window
  int threads = 2;
  std::function<bool(double)> progress;  // sliding window progress; false cancels
};

// Runs `pipeline` on `data`. Fails with invalid_pipeline when a step finds
// no data of its stage, or with the model's error.
Status run_pipeline(const Pipeline& pipeline, PipelineData& data, const PipelineContext& context);

// A label map on the working grid back on the source grid (nearest
// neighbour through patient coordinates, which undoes crop/pad and
// resampling at once; voxels outside the working grid become 0).
Volume<std::uint8_t> labels_on_source_grid(const PipelineData& data, const Volume<std::uint8_t>& labels);

}  // namespace medai::imaging

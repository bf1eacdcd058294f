#pragma once
// Scores one mammography exam: groups the loaded images into views
// (exam_views), fits each view to the classifier's input grid (model_grid),
// runs the model once on all views as one batch (forward → score [N,1] and
// class-activation map [N,1,h,w]), finds each view's hot spot and
// aggregates per breast and exam (assessment). Optionally scores the
// max-local-contrast baseline on the same views. Shared by the app
// (image_exam_app.cc) and the evaluator, so both score exactly alike.
#include <optional>
#include <vector>

#include "apps/mammo/assessment.h"
#include "apps/mammo/baseline.h"
#include "apps/mammo/exam_views.h"
#include "apps/mammo/heatmap.h"
#include "apps/mammo/model_grid.h"
#include "core/status.h"
#include "imaging/series_volume.h"
#include "runtime/model_runtime.h"

namespace medai::apps::mammo {

struct ModelInput {
  int width = 416, height = 512;  // manifest input.patch_size [width, height]
};

// input.patch_size of the manifest (2 positive multiples of 32); invalid_manifest otherwise.
Result<ModelInput> model_input_from(const nlohmann::json& manifest_input);

struct ScoredView {
  ExamView view;
  double score = 0;
  bool has_map = false;  // the model returned a class-activation map
  ActivationMap map;
  HotSpot spot;
  std::array<int, 4> source_box{0, 0, 0, 0};  // hot spot in source pixels (x0, y0, x1, y1, inclusive)
  GridMapping mapping;
  imaging::Image2D<float> model_image;  // what the model saw
  std::optional<double> baseline;
};

struct ScoredExam {
  ExamViews views;
  std::vector<ScoredView> scored;  // in views.views order
  ExamScore exam;
  std::optional<double> baseline;  // max over the views
  double model_seconds = 0, prepare_seconds = 0, post_seconds = 0;
};

struct ScoringOptions {
  bool baseline = false;
  bool model = true;  // false: baseline only (no runtime needed)
};

// `images` as loaded by imaging::load_projection_image. `model` may be null
// when options.model is false.
Result<ScoredExam> score_exam(const std::vector<imaging::ProjectionImage>& images, runtime::ModelRuntime* model,
                              const ModelInput& input, const ScoringOptions& options);

}  // namespace medai::apps::mammo

#include "apps/mammo/exam_scoring.h"

#include <chrono>

namespace medai::apps::mammo {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Result<ModelInput> model_input_from(const nlohmann::json& in) {
  ModelInput m;
  // patch_size (the manifest schema's name); "size" from older trainer fragments.
  nlohmann::json size = in.is_object() ? in.value("patch_size", nlohmann::json()) : nlohmann::json();
  if (size.is_null() && in.is_object()) size = in.value("size", nlohmann::json());
  if (size.is_null()) return m;
  if (!size.is_array() || size.size() != 2 || !size[0].is_number_integer() || !size[1].is_number_integer() ||
      size[0].get<int>() < 32 || size[1].get<int>() < 32 || size[0].get<int>() > 4096 ||
      size[1].get<int>() > 4096 || size[0].get<int>() % 32 || size[1].get<int>() % 32)
    return make_error(ErrorCode::invalid_manifest, "input.patch_size must be [width, height], multiples of 32",
                      {{"problems", {{{"field", "input.patch_size"}, {"message", "two multiples of 32 in 32..4096"}}}}});
  m.width = size[0].get<int>();
  m.height = size[1].get<int>();
  return m;
}

Result<ScoredExam> score_exam(const std::vector<imaging::ProjectionImage>& images, runtime::ModelRuntime* model,
                              const ModelInput& input, const ScoringOptions& options) {
  ScoredExam out;
  MEDAI_ASSIGN_OR_RETURN(out.views, collect_exam_views(images));
  auto t0 = std::chrono::steady_clock::now();
  const std::size_t n = out.views.views.size();
  out.scored.resize(n);
  std::vector<float> batch;
  if (options.model) batch.reserve(n * static_cast<std::size_t>(input.width) * input.height);
  for (std::size_t k = 0; k < n; ++k) {
    ScoredView& s = out.scored[k];
    s.view = out.views.views[k];
    const auto& im = images[s.view.source];
    if (options.model) {
      s.model_image = fit_to_model(im.image, input.width, input.height, s.mapping);
      batch.insert(batch.end(), s.model_image.data.begin(), s.model_image.data.end());
    }
    if (options.baseline) {
      s.baseline = max_local_contrast(im.image, im.image.spacing[0]);
      out.baseline = out.baseline ? std::max(*out.baseline, *s.baseline) : *s.baseline;
    }
  }
  out.prepare_seconds = seconds_since(t0);
  std::vector<ViewScore> view_scores;
  if (options.model) {
    if (!model) return make_error(ErrorCode::internal, "score_exam needs a model runtime");
    t0 = std::chrono::steady_clock::now();
    runtime::Tensor x = runtime::make_f32(
        "x", {static_cast<std::int64_t>(n), 1, input.height, input.width}, std::move(batch));
    MEDAI_ASSIGN_OR_RETURN(std::vector<runtime::Tensor> outputs, model->infer({x}));
    out.model_seconds = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    if (outputs.empty() || outputs[0].dtype != runtime::DType::f32 ||
        outputs[0].f32.size() != n)
      return make_error(ErrorCode::inference_failed, "the model's first output is not one score per view",
                        {{"views", n}});
    const bool maps = outputs.size() >= 2 && outputs[1].dtype == runtime::DType::f32 && outputs[1].shape.size() == 4 &&
                      outputs[1].shape[0] == static_cast<std::int64_t>(n) && outputs[1].shape[1] == 1;
    for (std::size_t k = 0; k < n; ++k) {
      ScoredView& s = out.scored[k];
      s.score = std::clamp(static_cast<double>(outputs[0].f32[k]), 0.0, 1.0);
      if (maps) {
        s.has_map = true;
        s.map.ny = static_cast<int>(outputs[1].shape[2]);
        s.map.nx = static_cast<int>(outputs[1].shape[3]);
        s.map.cell = static_cast<double>(input.width) / s.map.nx;
        const std::size_t cells = static_cast<std::size_t>(s.map.nx) * s.map.ny;
        s.map.values.assign(outputs[1].f32.begin() + static_cast<std::ptrdiff_t>(k * cells),
                            outputs[1].f32.begin() + static_cast<std::ptrdiff_t>((k + 1) * cells));
        s.spot = find_hot_spot(s.map);
        const auto& im = images[s.view.source].image;
        s.source_box = s.mapping.to_source(s.spot.model_box[0], s.spot.model_box[1], s.spot.model_box[2],
                                           s.spot.model_box[3], im.nx, im.ny);
      }
      view_scores.push_back({s.view.name, s.view.laterality, s.score});
    }
    out.post_seconds = seconds_since(t0);
  } else {
    for (const auto& s : out.scored) view_scores.push_back({s.view.name, s.view.laterality, s.baseline.value_or(0)});
  }
  out.exam = aggregate_exam(view_scores, out.views.missing);
  return out;
}

}  // namespace medai::apps::mammo

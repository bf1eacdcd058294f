#include "imaging/pipeline.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "imaging/ops/label_ops.h"
#include "imaging/ops/window.h"

namespace medai::imaging {
namespace {

using nlohmann::json;

// Bounds that keep an untrusted manifest from asking for absurd memory.
constexpr double kMaxPatchVoxels = 256.0 * 256 * 256;
constexpr std::size_t kMaxVoxels = std::size_t{1} << 29;  // 2 GiB of floats

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::image: return "image";
    case Stage::probabilities: return "probabilities";
    case Stage::labels: return "labels";
    case Stage::components: return "components";
  }
  return "";
}

// Collects every problem of one step; readers return defaults on error so
// validation goes on and reports everything at once.
class StepReader {
 public:
  StepReader(const json& step, std::string list, std::size_t index, std::string op, json& problems)
      : step_(step), list_(std::move(list)), index_(index), op_(std::move(op)), problems_(problems) {}

  void problem(const std::string& field, const std::string& text) {
    problems_.push_back({{"list", list_}, {"index", index_}, {"op", op_}, {"field", field}, {"problem", text}});
  }
  // The raw value (marked as read), or nullptr when absent.
  const json* raw(const std::string& f) { return has(f) ? &step_[f] : nullptr; }
  bool has(const std::string& f) {
    seen_.insert(f);
    return step_.contains(f) && !step_[f].is_null();
  }
  double number(const std::string& f, double fallback, std::optional<double> lo = {}, std::optional<double> hi = {},
                bool lo_open = false, bool hi_open = false) {
    if (!has(f)) return fallback;
    if (!step_[f].is_number()) {
      problem(f, "must be a number");
      return fallback;
    }
    const double v = step_[f].get<double>();
    if (!std::isfinite(v) || (lo && (lo_open ? v <= *lo : v < *lo)) || (hi && (hi_open ? v >= *hi : v > *hi))) {
      std::string range = "must be";
      if (lo) range += std::string(lo_open ? " > " : " >= ") + json(*lo).dump();
      if (lo && hi) range += " and";
      if (hi) range += std::string(hi_open ? " < " : " <= ") + json(*hi).dump();
      problem(f, range);
      return fallback;
    }
    return v;
  }
  double required_number(const std::string& f, std::optional<double> lo = {}, bool lo_open = false) {
    if (!has(f)) problem(f, "is required");
    return number(f, lo ? *lo + 1 : 0, lo, {}, lo_open);
  }
  int integer(const std::string& f, int fallback, int lo, int hi) {
    if (!has(f)) return fallback;
    if (!step_[f].is_number_integer() || step_[f].get<std::int64_t>() < lo || step_[f].get<std::int64_t>() > hi) {
      problem(f, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      return fallback;
    }
    return step_[f].get<int>();
  }
  std::string choice(const std::string& f, const std::string& fallback, const std::vector<std::string>& allowed) {
    if (!has(f)) return fallback;
    if (step_[f].is_string()) {
      const std::string v = step_[f].get<std::string>();
      if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : " | ") + a;
    problem(f, "must be one of " + list);
    return fallback;
  }
  template <typename T>
  std::optional<std::array<T, 3>> triple(const std::string& f, bool positive) {
    if (!has(f)) return std::nullopt;
    const json& v = step_[f];
    bool ok = v.is_array() && v.size() == 3;
    std::array<T, 3> out{};
    for (std::size_t a = 0; ok && a < 3; ++a) {
      ok = std::is_integral_v<T> ? v[a].is_number_integer() : v[a].is_number();
      if (ok) {
        const double d = v[a].get<double>();
        ok = std::isfinite(d) && (!positive || d > 0) && (!std::is_integral_v<T> || d <= 4096);
        out[a] = static_cast<T>(d);
      }
    }
    if (!ok) {
      problem(f, std::string("must be an array of 3 ") + (positive ? "positive " : "") +
                     (std::is_integral_v<T> ? "integers (at most 4096)" : "numbers") + " in (i, j, k) order");
      return std::nullopt;
    }
    return out;
  }
  void finish() {
    for (auto it = step_.begin(); it != step_.end(); ++it)
      if (it.key() != "op" && !seen_.count(it.key())) problem(it.key(), "is not a parameter of " + op_);
  }

 private:
  const json& step_;
  std::string list_;
  std::size_t index_;
  std::string op_;
  json& problems_;
  std::set<std::string> seen_;
};

// Which stages an op accepts, and the stage it leaves.
struct OpShape {
  std::vector<Stage> accepts;
  std::optional<Stage> yields;  // nullopt: unchanged
};

OpShape shape_of(const std::string& op) {
  using S = Stage;
  if (op == "resample") return {{S::image, S::probabilities, S::labels}, {}};
  if (op == "window" || op == "normalise" || op == "crop_pad" || op == "pad_to_multiple") return {{S::image}, {}};
  if (op == "sliding_window") return {{S::image}, S::probabilities};
  if (op == "argmax" || op == "threshold") return {{S::probabilities}, S::labels};
  if (op == "connected_components") return {{S::labels}, S::components};
  if (op == "nms" || op == "measure") return {{S::components}, {}};
  if (op == "contours") return {{S::labels, S::components}, {}};
  return {};
}

PipelineStep read_step(const std::string& op, StepReader& r) {
  if (op == "resample") {
    ResampleStep s;
    s.spacing_mm = r.triple<double>("spacing_mm", true);
    if (s.spacing_mm && std::min({(*s.spacing_mm)[0], (*s.spacing_mm)[1], (*s.spacing_mm)[2]}) < 0.05) {
      r.problem("spacing_mm", "must be at least 0.05 mm");
      s.spacing_mm = std::array<double, 3>{1, 1, 1};
    }
    const std::string to = r.choice("to", "", {"source"});
    if (s.spacing_mm.has_value() == (to == "source"))
      r.problem("spacing_mm", "give either spacing_mm or \"to\": \"source\"");
    s.interpolation = r.choice("interpolation", "linear", {"linear", "nearest"}) == "nearest" ? Interpolation::nearest
                                                                                            : Interpolation::linear;
    return s;
  }
  if (op == "window") {
    WindowStep s;
    s.center = r.required_number("center");
    s.width = r.has("width") ? r.number("width", 1, 0.0, {}, true) : (r.problem("width", "is required"), 1.0);
    return s;
  }
  if (op == "normalise") {
    NormaliseStep s;
    const std::string mode = r.choice("mode", "zscore", {"zscore", "minmax", "fixed"});
    s.options.mode = mode == "fixed" ? NormaliseMode::fixed : mode == "minmax" ? NormaliseMode::minmax : NormaliseMode::zscore;
    if (s.options.mode == NormaliseMode::fixed) {
      s.options.mean = r.required_number("mean");
      s.options.std = r.has("std") ? r.number("std", 1, 0.0, {}, true) : (r.problem("std", "is required for mode fixed"), 1.0);
    } else {
      if (r.has("mean")) r.problem("mean", "only with mode fixed");
      if (r.has("std")) r.problem("std", "only with mode fixed");
    }
    if (const json* c = r.raw("clip")) {
      if (c->is_array() && c->size() == 2 && (*c)[0].is_number() && (*c)[1].is_number() &&
          (*c)[0].get<double>() < (*c)[1].get<double>())
        s.options.clip = std::make_pair((*c)[0].get<double>(), (*c)[1].get<double>());
      else
        r.problem("clip", "must be [low, high] with low < high");
    }
    if (r.has("mask_above")) s.options.mask_above = r.number("mask_above", 0);
    return s;
  }
  if (op == "crop_pad") {
    CropPadStep s;
    if (auto size = r.triple<int>("size", true)) {
      s.size = *size;
      if (double(s.size[0]) * s.size[1] * s.size[2] > double(kMaxVoxels)) r.problem("size", "is too large a volume");
    } else if (!r.has("size")) {
      r.problem("size", "is required");
    }
    const std::string around = r.choice("around", "center", {"center", "foreground"});
    if (around == "foreground") {
      s.foreground_above = r.has("foreground_above") ? r.number("foreground_above", 0)
                                                     : (r.problem("foreground_above", "is required with around foreground"), 0.0);
    } else if (r.has("foreground_above")) {
      r.problem("foreground_above", "only with around foreground");
    }
    s.pad_value = r.number("pad_value", 0);
    return s;
  }
  if (op == "pad_to_multiple") {
    PadToMultipleStep s;
    s.multiple = r.integer("multiple", 4, 1, 256);
    s.pad_value = r.number("pad_value", 0);
    return s;
  }
  if (op == "sliding_window") {
    SlidingWindowStep s;
    if (auto p = r.triple<int>("patch_size", true))
      s.patch_size = *p;
    else if (!r.has("patch_size"))
      r.problem("patch_size", "is required");
    s.overlap = r.number("overlap", 0.5, 0.0, 0.9);
    const double voxels = double(s.patch_size[0]) * s.patch_size[1] * s.patch_size[2];
    if (voxels > kMaxPatchVoxels) r.problem("patch_size", "a patch may hold at most 256^3 voxels");
    s.blend = r.choice("blend", "gaussian", {"gaussian", "constant"}) == "constant" ? Blend::constant : Blend::gaussian;
    s.batch_size = r.integer("batch_size", 1, 1, 64);
    if (voxels * s.batch_size > kMaxPatchVoxels * 4) r.problem("batch_size", "a batch may hold at most 4 * 256^3 voxels");
    return s;
  }
  if (op == "argmax") return ArgmaxStep{};
  if (op == "threshold") {
    ThresholdStep s;
    s.value = r.required_number("value");
    if (r.has("channel")) s.channel = r.integer("channel", 0, 0, 254);
    return s;
  }
  if (op == "connected_components") {
    ComponentsStep s;
    s.options.min_voxels = r.integer("min_voxels", 1, 1, 1 << 30);
    s.options.connectivity = r.integer("connectivity", 26, 6, 26);
    if (s.options.connectivity != 6 && s.options.connectivity != 18 && s.options.connectivity != 26) {
      r.problem("connectivity", "must be 6, 18 or 26");
      s.options.connectivity = 26;
    }
    s.options.max_components = r.integer("max_components", 0, 0, 100000);
    if (const json* b = r.raw("per_label")) {
      if (b->is_boolean())
        s.options.per_label = b->get<bool>();
      else
        r.problem("per_label", "must be true or false");
    }
    return s;
  }
  if (op == "nms") {
    NmsStep s;
    s.options.shape = r.choice("shape", "sphere", {"sphere", "box"}) == "box" ? NmsShape::box : NmsShape::sphere;
    const bool iou = r.has("iou"), distance = r.has("distance_mm");
    if (iou && distance) r.problem("iou", "give iou or distance_mm, not both");
    if (distance) {
      s.options.criterion = NmsCriterion::distance;
      s.options.distance_mm = r.number("distance_mm", 1, 0.0, {}, true);
    } else {
      s.options.iou = r.number("iou", 0.1, 0.0, 1.0, false, false);
    }
    s.options.max = r.integer("max", 0, 0, 100000);
    if (r.has("min_score")) s.options.min_score = r.number("min_score", 0);
    return s;
  }
  if (op == "contours") return ContoursStep{};
  return MeasureStep{};
}

Result<Pipeline> parse_list(const json& steps, Stage start, const std::string& list, json& problems) {
  Pipeline p;
  if (!steps.is_array()) {
    problems.push_back({{"list", list}, {"index", nullptr}, {"op", nullptr}, {"field", list},
                        {"problem", "must be an array of steps"}});
    return p;
  }
  Stage stage = start;
  const auto& names = pipeline_op_names();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    if (!step.is_object() || !step.contains("op") || !step["op"].is_string()) {
      problems.push_back({{"list", list}, {"index", i}, {"op", nullptr}, {"field", "op"},
                          {"problem", "each step must be an object with a string \"op\""}});
      continue;
    }
    const std::string op = step["op"].get<std::string>();
    if (std::find(names.begin(), names.end(), op) == names.end()) {
      problems.push_back({{"list", list}, {"index", i}, {"op", op}, {"field", "op"}, {"problem", "unknown operator"}});
      continue;
    }
    StepReader r(step, list, i, op, problems);
    PipelineStep parsed = read_step(op, r);
    r.finish();
    const OpShape shape = shape_of(op);
    if (std::find(shape.accepts.begin(), shape.accepts.end(), stage) == shape.accepts.end()) {
      std::string wants;
      for (Stage s : shape.accepts) wants += (wants.empty() ? "" : " or ") + std::string(stage_name(s));
      r.problem("op", std::string("works on ") + wants + " but the data here is " + stage_name(stage));
    }
    if (shape.yields) stage = *shape.yields;
    p.steps.push_back(std::move(parsed));
    p.names.push_back(op);
  }
  return p;
}

Status problems_status(const json& problems) {
  return make_error(ErrorCode::invalid_pipeline,
                    "the pipeline declaration has " + std::to_string(problems.size()) + " problem(s)",
                    {{"problems", problems}});
}

BoundingBox foreground_box(const Volume<float>& v, double above, bool& any) {
  BoundingBox b{{v.nx, v.ny, v.nz}, {-1, -1, -1}};
  any = false;
  for (int k = 0; k < v.nz; ++k)
    for (int j = 0; j < v.ny; ++j)
      for (int i = 0; i < v.nx; ++i)
        if (v.at(i, j, k) > above) {
          any = true;
          b.min = {std::min(b.min[0], i), std::min(b.min[1], j), std::min(b.min[2], k)};
          b.max = {std::max(b.max[0], i), std::max(b.max[1], j), std::max(b.max[2], k)};
        }
  return b;
}

Status missing(const std::string& op, const char* what) {
  return make_error(ErrorCode::invalid_pipeline, op + " found no " + what + " to work on", {{"op", op}});
}

}  // namespace

const std::vector<std::string>& pipeline_op_names() {
  static const std::vector<std::string> names = {"resample", "window",    "normalise",            "crop_pad",
                                                 "sliding_window", "argmax", "threshold", "connected_components",
                                                 "nms",      "contours",  "measure", "pad_to_multiple"};
  return names;
}

Result<Pipeline> parse_pipeline(const json& steps, Stage start, const std::string& list) {
  json problems = json::array();
  Pipeline p = parse_list(steps, start, list, problems).value();
  if (!problems.empty()) return problems_status(problems);
  return p;
}

Result<ManifestPipeline> parse_manifest_pipeline(const json& pipeline) {
  json problems = json::array();
  ManifestPipeline out;
  if (!pipeline.is_object()) {
    problems.push_back({{"list", nullptr}, {"index", nullptr}, {"op", nullptr}, {"field", "pipeline"},
                        {"problem", "must be an object with \"pre\" and \"post\" arrays"}});
    return problems_status(problems);
  }
  for (auto it = pipeline.begin(); it != pipeline.end(); ++it)
    if (it.key() != "pre" && it.key() != "post")
      problems.push_back({{"list", nullptr}, {"index", nullptr}, {"op", nullptr}, {"field", it.key()},
                          {"problem", "is not part of a pipeline (pre, post)"}});
  if (pipeline.contains("pre")) out.pre = parse_list(pipeline["pre"], Stage::image, "pre", problems).value();
  // A pre list ending in sliding_window already has probabilities; otherwise the model's output is the start.
  if (pipeline.contains("post")) out.post = parse_list(pipeline["post"], Stage::probabilities, "post", problems).value();
  if (!problems.empty()) return problems_status(problems);
  return out;
}

Status run_pipeline(const Pipeline& pipeline, PipelineData& d, const PipelineContext& ctx) {
  if (d.source.data.empty() && !d.image.data.empty()) d.source = d.image;
  for (std::size_t n = 0; n < pipeline.steps.size(); ++n) {
    const std::string& op = pipeline.names[n];
    json entry = {{"op", op}};
    const PipelineStep& step = pipeline.steps[n];
    if (const auto* s = std::get_if<ResampleStep>(&step)) {
      // To a spacing (keeping the extent) or back onto the source grid.
      auto target = [&](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return s->spacing_mm ? grid_for_spacing(v, *s->spacing_mm) : d.source.template like<T>();
      };
      if (d.components) return make_error(ErrorCode::invalid_pipeline, "resample must come before connected_components");
      if (s->spacing_mm) {
        const Volume<float>& ref = !d.probabilities.empty() ? d.probabilities.front() : d.image;
        const Volume<float> g = grid_for_spacing(ref, *s->spacing_mm);  // geometry only, no data
        if (static_cast<double>(g.nx) * g.ny * g.nz > static_cast<double>(kMaxVoxels))
          return make_error(ErrorCode::invalid_pipeline, "resample would make a volume that is too large",
                            {{"size", {g.nx, g.ny, g.nz}}});
      }
      if (!d.probabilities.empty() || d.labels) {
        for (auto& p : d.probabilities) p = resample_to_grid(p, target(p), s->interpolation, 0, ctx.threads);
        if (d.labels) d.labels = resample_to_grid(*d.labels, target(*d.labels), 0, ctx.threads);
      } else {
        if (d.image.data.empty()) return missing(op, "image");
        d.image = resample_to_grid(d.image, target(d.image), s->interpolation, 0, ctx.threads);
      }
      const Volume<float>& now = d.probabilities.empty() ? d.image : d.probabilities.front();
      entry["size"] = {now.nx, now.ny, now.nz};
      entry["spacing_mm"] = now.spacing;
    } else if (const auto* s = std::get_if<WindowStep>(&step)) {
      if (d.image.data.empty()) return missing(op, "image");
      apply_window(d.image, s->center, s->width);
    } else if (const auto* s = std::get_if<NormaliseStep>(&step)) {
      if (d.image.data.empty()) return missing(op, "image");
      const auto [shift, scale] = apply_normalise(d.image, s->options);
      entry["shift"] = shift;
      entry["scale"] = scale;
    } else if (const auto* s = std::get_if<CropPadStep>(&step)) {
      if (d.image.data.empty()) return missing(op, "image");
      std::optional<BoundingBox> box;
      if (s->foreground_above) {
        bool any = false;
        const BoundingBox b = foreground_box(d.image, *s->foreground_above, any);
        if (any) box = b;
        entry["foreground_found"] = any;
      }
      auto cropped = crop_pad(d.image, s->size, static_cast<float>(s->pad_value), box);
      d.image = std::move(cropped.volume);
      entry["offset"] = cropped.offset;
    } else if (const auto* s = std::get_if<PadToMultipleStep>(&step)) {
      if (d.image.data.empty()) return missing(op, "image");
      const Volume<float>& img = d.image;
      Volume<float> padded = img.like<float>();
      auto up = [m = s->multiple](int n) { return (n + m - 1) / m * m; };
      padded.nx = up(img.nx);
      padded.ny = up(img.ny);
      padded.nz = up(img.nz);
      padded.data.assign(static_cast<std::size_t>(padded.nx) * padded.ny * padded.nz, static_cast<float>(s->pad_value));
      for (int k = 0; k < img.nz; ++k)
        for (int j = 0; j < img.ny; ++j)
          std::copy_n(&img.data[img.index(0, j, k)], img.nx, &padded.data[padded.index(0, j, k)]);
      entry["size"] = {padded.nx, padded.ny, padded.nz};
      d.image = std::move(padded);
    } else if (const auto* s = std::get_if<SlidingWindowStep>(&step)) {
      if (d.image.data.empty()) return missing(op, "image");
      if (!ctx.infer) return make_error(ErrorCode::invalid_pipeline, "sliding_window needs a model (no infer function)");
      SlidingWindowOptions o;
      o.patch_size = s->patch_size;
      o.overlap = s->overlap;
      o.blend = s->blend;
      o.batch_size = s->batch_size;
      o.progress = ctx.progress;
      MEDAI_ASSIGN_OR_RETURN(d.probabilities, sliding_window(d.image, ctx.infer, o));
      entry["channels"] = d.probabilities.size();
    } else if (std::holds_alternative<ArgmaxStep>(step)) {
      if (d.probabilities.empty()) return missing(op, "probabilities");
      MEDAI_ASSIGN_OR_RETURN(d.labels, argmax(d.probabilities));
    } else if (const auto* s = std::get_if<ThresholdStep>(&step)) {
      if (d.probabilities.empty()) return missing(op, "probabilities");
      const int c = s->channel.value_or(static_cast<int>(d.probabilities.size()) - 1);
      if (c >= static_cast<int>(d.probabilities.size()))
        return make_error(ErrorCode::invalid_pipeline, "threshold channel beyond the model's output channels",
                          {{"channel", c}, {"channels", d.probabilities.size()}});
      d.labels = threshold(d.probabilities[static_cast<std::size_t>(c)], s->value);
      d.score_channel = c;
      entry["channel"] = c;
    } else if (const auto* s = std::get_if<ComponentsStep>(&step)) {
      if (!d.labels) return missing(op, "labels");
      // Scores: the thresholded channel (a detector's heat-map), else the
      // foreground probability (last channel), on the same grid.
      const Volume<float>* score = nullptr;
      if (!d.probabilities.empty()) {
        const auto& p = d.score_channel >= 0 && d.score_channel < static_cast<int>(d.probabilities.size())
                            ? d.probabilities[static_cast<std::size_t>(d.score_channel)]
                            : d.probabilities.back();
        if (p.same_grid(*d.labels)) score = &p;
      }
      d.components = connected_components(*d.labels, s->options, score);
      entry["components"] = d.components->stats.size();
    } else if (const auto* s = std::get_if<NmsStep>(&step)) {
      if (!d.components) return missing(op, "components");
      // Detections in the grid's own frame (mm), where boxes are axis-aligned.
      const Volume<std::int32_t>& lab = d.components->labels;
      std::vector<Detection> dets;
      for (const ComponentStats& c : d.components->stats) {
        Detection det;
        det.source = c.id;
        det.score = c.score_max > 0 ? c.score_max : static_cast<double>(c.voxels);
        if (s->options.shape == NmsShape::sphere) {
          det.centre = {c.centroid_voxel.x * lab.spacing[0], c.centroid_voxel.y * lab.spacing[1],
                        c.centroid_voxel.z * lab.spacing[2]};
          det.radius_mm = std::cbrt(3 * c.volume_mm3 / (4 * M_PI));
        } else {
          det.centre = {(c.box.min[0] + c.box.max[0]) / 2.0 * lab.spacing[0],
                        (c.box.min[1] + c.box.max[1]) / 2.0 * lab.spacing[1],
                        (c.box.min[2] + c.box.max[2]) / 2.0 * lab.spacing[2]};
          det.half_size = {(c.box.max[0] - c.box.min[0] + 1) * lab.spacing[0] / 2,
                           (c.box.max[1] - c.box.min[1] + 1) * lab.spacing[1] / 2,
                           (c.box.max[2] - c.box.min[2] + 1) * lab.spacing[2] / 2};
        }
        dets.push_back(det);
      }
      const auto kept = nms(dets, s->options);
      // Keep the surviving components in score order, renumbered 1..N.
      std::vector<std::int32_t> renumber(d.components->stats.size() + 1, 0);
      std::vector<ComponentStats> stats;
      for (const Detection& k : kept) {
        ComponentStats c = d.components->stats[static_cast<std::size_t>(k.source - 1)];
        c.id = static_cast<int>(stats.size() + 1);
        renumber[static_cast<std::size_t>(k.source)] = c.id;
        stats.push_back(c);
      }
      for (std::int32_t& l : d.components->labels.data) l = renumber[static_cast<std::size_t>(l)];
      entry["kept"] = stats.size();
      entry["suppressed"] = d.components->stats.size() - stats.size();
      d.components->stats = std::move(stats);
    } else if (std::holds_alternative<ContoursStep>(step)) {
      if (d.components)
        d.contours = extract_contours(d.components->labels);
      else if (d.labels)
        d.contours = extract_contours(*d.labels);
      else
        return missing(op, "labels or components");
      entry["slices"] = d.contours.size();
    } else if (std::holds_alternative<MeasureStep>(step)) {
      if (!d.components) return missing(op, "components");
      d.measurements = measure(*d.components, d.source.data.empty() ? nullptr : &d.source);
      entry["measured"] = d.measurements.size();
    }
    d.log.push_back(std::move(entry));
  }
  return Status::ok();
}

Volume<std::uint8_t> labels_on_source_grid(const PipelineData& data, const Volume<std::uint8_t>& labels) {
  return resample_to_grid(labels, data.source.like<std::uint8_t>(), 0, 2);
}

}  // namespace medai::imaging

#include "imaging/pipeline.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::imaging {
namespace {

using nlohmann::json;

std::vector<json> problems_of(const Status& s) {
  EXPECT_EQ(s.code(), ErrorCode::invalid_pipeline) << s.to_string();
  std::vector<json> out;
  if (s.detail().contains("problems"))
    for (const auto& p : s.detail()["problems"]) out.push_back(p);
  return out;
}

bool has_problem(const std::vector<json>& ps, int index, const std::string& field) {
  for (const auto& p : ps)
    if (p["index"] == index && p["field"] == field) return true;
  return false;
}

TEST(PipelineParse, TheContractExampleIsValid) {
  const json pipeline = json::parse(R"({
    "pre":  [{"op": "resample", "spacing_mm": [1,1,1]}, {"op": "window", "center": -600, "width": 1500}],
    "post": [{"op": "threshold", "value": 0.5}, {"op": "connected_components", "min_voxels": 10},
             {"op": "measure"}]})");
  auto r = parse_manifest_pipeline(pipeline);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->pre.names, (std::vector<std::string>{"resample", "window"}));
  EXPECT_EQ(r->post.steps.size(), 3u);
  EXPECT_EQ(std::get<WindowStep>(r->pre.steps[1]).width, 1500);
  EXPECT_EQ(std::get<ComponentsStep>(r->post.steps[1]).options.min_voxels, 10);
}

TEST(PipelineParse, EveryOperatorWithAllItsParameters) {
  const json steps = json::parse(R"([
    {"op": "resample", "spacing_mm": [0.8, 0.8, 1.5], "interpolation": "linear"},
    {"op": "normalise", "mode": "fixed", "mean": 50, "std": 200, "clip": [-1000, 1000]},
    {"op": "normalise", "mode": "zscore", "mask_above": -500},
    {"op": "crop_pad", "size": [96, 96, 64], "around": "foreground", "foreground_above": 0.1, "pad_value": 0},
    {"op": "window", "center": 40, "width": 400},
    {"op": "sliding_window", "patch_size": [32, 32, 16], "overlap": 0.5, "blend": "gaussian", "batch_size": 2},
    {"op": "resample", "to": "source", "interpolation": "linear"},
    {"op": "argmax"},
    {"op": "contours"},
    {"op": "connected_components", "min_voxels": 3, "connectivity": 18, "per_label": true, "max_components": 5},
    {"op": "nms", "iou": 0.2, "shape": "box", "max": 10, "min_score": 0.1},
    {"op": "nms", "distance_mm": 5},
    {"op": "contours"},
    {"op": "measure"}])");
  auto r = parse_pipeline(steps);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->steps.size(), steps.size());
  const auto& n = std::get<NormaliseStep>(r->steps[1]).options;
  EXPECT_EQ(n.mode, NormaliseMode::fixed);
  ASSERT_TRUE(n.clip.has_value());
  EXPECT_EQ(n.clip->first, -1000);
  EXPECT_TRUE(std::get<ComponentsStep>(r->steps[9]).options.per_label);
  EXPECT_EQ(std::get<NmsStep>(r->steps[11]).options.criterion, NmsCriterion::distance);
}

TEST(PipelineParse, EveryProblemIsListedWithItsPlace) {
  const json pipeline = json::parse(R"({
    "pre": [
      {"op": "rotate"},
      {"op": "window", "center": "wide", "width": 0},
      {"op": "resample"},
      {"op": "normalise", "mode": "robust", "clip": [5, 1]},
      {"op": "sliding_window", "patch_size": [64, 64], "overlap": 1.0, "tile": 3},
      "threshold"
    ],
    "post": [
      {"op": "measure"},
      {"op": "threshold"},
      {"op": "connected_components", "connectivity": 10, "min_voxels": 0},
      {"op": "nms", "iou": 0.3, "distance_mm": 4}
    ],
    "extra": []})");
  const auto ps = problems_of(parse_manifest_pipeline(pipeline).status());
  EXPECT_TRUE(has_problem(ps, 0, "op"));                // unknown operator
  EXPECT_TRUE(has_problem(ps, 1, "center"));            // not a number
  EXPECT_TRUE(has_problem(ps, 1, "width"));             // must be > 0
  EXPECT_TRUE(has_problem(ps, 2, "spacing_mm"));        // neither spacing nor "to"
  EXPECT_TRUE(has_problem(ps, 3, "mode"));
  EXPECT_TRUE(has_problem(ps, 3, "clip"));
  EXPECT_TRUE(has_problem(ps, 4, "patch_size"));
  EXPECT_TRUE(has_problem(ps, 4, "overlap"));
  EXPECT_TRUE(has_problem(ps, 4, "tile"));              // unknown parameter
  EXPECT_TRUE(has_problem(ps, 5, "op"));                // not an object
  // post: measure before components, threshold without value, bad ranges, both nms criteria.
  int post = 0;
  for (const auto& p : ps) post += p["list"] == "post";
  EXPECT_GE(post, 5);
  bool extra = false;
  for (const auto& p : ps) extra = extra || p["field"] == "extra";
  EXPECT_TRUE(extra);
  EXPECT_GE(ps.size(), 16u);
  for (const auto& p : ps) EXPECT_FALSE(p["problem"].get<std::string>().empty());
}

TEST(PipelineParse, StageOrderIsChecked) {
  // threshold on the image (no model output yet) and window after the model.
  const auto ps = problems_of(parse_pipeline(json::parse(R"([{"op": "threshold", "value": 0.5},
      {"op": "window", "center": 0, "width": 1}])")).status());
  EXPECT_TRUE(has_problem(ps, 0, "op"));
  EXPECT_TRUE(has_problem(ps, 1, "op"));
}

// A volume with two bright spheres (HU 60) in soft tissue (HU 0) on a 0.7 mm grid.
Volume<float> two_spheres() {
  Volume<float> v(72, 72, 30, 0.0f);
  v.spacing = {0.7, 0.7, 1.25};
  v.origin = {-25, -25, -18};
  const Vec3 c1 = v.position(20, 22, 12), c2 = v.position(50, 48, 18);
  for (int k = 0; k < v.nz; ++k)
    for (int j = 0; j < v.ny; ++j)
      for (int i = 0; i < v.nx; ++i) {
        const Vec3 p = v.position(i, j, k);
        if ((p - c1).norm2() <= 36 || (p - c2).norm2() <= 9) v.at(i, j, k) = 60;
      }
  return v;
}

TEST(PipelineRun, DetectionPipelineEndToEndWithAToyModel) {
  const json pipeline = json::parse(R"({
    "pre":  [{"op": "resample", "spacing_mm": [1,1,1]}, {"op": "window", "center": 30, "width": 60},
             {"op": "sliding_window", "patch_size": [24, 24, 16], "overlap": 0.5, "batch_size": 2}],
    "post": [{"op": "threshold", "value": 0.5}, {"op": "connected_components", "min_voxels": 5},
             {"op": "nms", "iou": 0.1}, {"op": "contours"}, {"op": "measure"}]})");
  auto parsed = parse_manifest_pipeline(pipeline);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  PipelineData data;
  data.image = two_spheres();
  PipelineContext ctx;
  int calls = 0;
  // "Model": probability = windowed intensity (already in [0,1]).
  ctx.infer = [&](const std::vector<float>& batch, int, const std::array<int, 3>&) -> Result<std::vector<float>> {
    ++calls;
    return batch;
  };
  ASSERT_TRUE(run_pipeline(parsed->pre, data, ctx).is_ok());
  EXPECT_GT(calls, 0);
  ASSERT_EQ(data.probabilities.size(), 1u);
  EXPECT_DOUBLE_EQ(data.probabilities[0].spacing[0], 1.0);
  const Status s = run_pipeline(parsed->post, data, ctx);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  ASSERT_EQ(data.measurements.size(), 2u);
  // Larger sphere first (radius 6 mm), then radius 3 mm; diameters within a voxel of the 1 mm grid.
  EXPECT_NEAR(data.measurements[0].long_axis_mm, 12, 1.0);
  EXPECT_NEAR(data.measurements[1].long_axis_mm, 6, 1.0);
  // Mean intensity comes from the untouched source (HU), not the windowed image.
  EXPECT_NEAR(*data.measurements[0].mean_intensity, 60, 6);
  EXPECT_NEAR(data.measurements[0].centroid.x, data.source.position(20, 22, 12).x, 0.5);
  EXPECT_FALSE(data.contours.empty());
  EXPECT_EQ(data.log.size(), 8u);
  // Labels back on the 0.7 mm source grid for a SEG.
  const auto back = labels_on_source_grid(data, *data.labels);
  EXPECT_TRUE(back.same_grid(data.source));
  std::size_t agree = 0, fg = 0;
  for (std::size_t n = 0; n < back.data.size(); ++n) {
    fg += data.source.data[n] > 30;
    agree += (back.data[n] != 0) == (data.source.data[n] > 30);
  }
  EXPECT_GT(fg, 0u);
  EXPECT_GT(static_cast<double>(agree) / back.data.size(), 0.995);
}

TEST(PipelineRun, ComponentsAreScoredByTheThresholdedChannel) {
  // A detector-like output: channel 0 = heat-map (what is thresholded),
  // channel 1 = an extent channel with large values. Components must carry
  // the heat-map's maximum, not the last channel's.
  PipelineData data;
  data.image = two_spheres();
  data.source = data.image;
  Volume<float> heat = data.image.like<float>(), extent = data.image.like<float>();
  for (std::size_t n = 0; n < heat.data.size(); ++n) {
    heat.data[n] = data.image.data[n] > 30 ? 0.7f : 0.0f;
    extent.data[n] = 5.0f;
  }
  data.probabilities = {heat, extent};
  auto post = parse_pipeline(json::parse(R"([{"op": "threshold", "value": 0.5, "channel": 0},
                                             {"op": "connected_components", "min_voxels": 5}])"),
                             Stage::probabilities, "post");
  ASSERT_TRUE(post.is_ok()) << post.status().to_string();
  ASSERT_TRUE(run_pipeline(*post, data, {}).is_ok());
  ASSERT_EQ(data.components->stats.size(), 2u);
  for (const auto& c : data.components->stats) EXPECT_FLOAT_EQ(static_cast<float>(c.score_max), 0.7f);
}

TEST(PipelineRun, MissingDataAndMissingModelAreClearErrors) {
  auto post = parse_pipeline(json::parse(R"([{"op": "threshold", "value": 0.5}])"), Stage::probabilities, "post");
  ASSERT_TRUE(post.is_ok());
  PipelineData empty;
  EXPECT_EQ(run_pipeline(*post, empty, {}).code(), ErrorCode::invalid_pipeline);
  auto pre = parse_pipeline(json::parse(R"([{"op": "sliding_window", "patch_size": [4,4,4]}])"));
  ASSERT_TRUE(pre.is_ok());
  PipelineData d;
  d.image = Volume<float>(8, 8, 8);
  EXPECT_EQ(run_pipeline(*pre, d, {}).code(), ErrorCode::invalid_pipeline);
}

}  // namespace
}  // namespace medai::imaging

#include "training/torch/imaging_cases.h"

#include <algorithm>
#include <numeric>

#include "annotations/rtstruct_reader.h"
#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "core/files.h"
#include "imaging/ops/resample.h"
#include "imaging/ops/window.h"

namespace medai::training::torch_nets {
namespace {

Status with_item(Status s, std::size_t item_index) {
  nlohmann::json d = s.detail().is_object() ? s.detail() : nlohmann::json::object();
  d["item"] = item_index;
  return Status(s.code(), s.message(), d);
}

}  // namespace

Result<LabelledSeries> load_labelled_series(const TrainingData& data, const TrainingData::Item& item,
                                            std::size_t item_index) {
  const std::string study = item.ref.value("study_uid", "");
  auto files = data.series_files(study, item.ref.value("series_uid", ""));
  if (!files) return with_item(files.status(), item_index);
  auto series = imaging::load_series_volume(*files);
  if (!series) return with_item(series.status(), item_index);
  auto geometry = annotations::source_series_from_files(*files);
  if (!geometry) return with_item(geometry.status(), item_index);
  LabelledSeries out;
  out.image = std::move(series->volume);
  for (const auto& a : item.ref.value("annotations", nlohmann::json::array())) {
    const std::string kind = a.value("kind", "");
    if (kind != "SEG" && kind != "RTSTRUCT") continue;
    const std::string wanted_sop = a.value("sop_instance_uid", "");
    auto afiles = data.series_files(study, a.value("series_uid", ""));
    if (!afiles) return with_item(afiles.status(), item_index);
    for (const auto& f : *afiles) {
      auto bytes = read_file(f);
      if (!bytes) return with_item(bytes.status(), item_index);
      if (kind == "SEG") {
        auto seg = annotations::read_seg(*bytes, *geometry);
        if (!seg) return with_item(seg.status(), item_index);
        if (!wanted_sop.empty() && seg->sop_instance_uid != wanted_sop) continue;
        for (std::size_t i = 0; i < seg->masks.size(); ++i)
          out.masks.push_back({seg->segments[i].label, std::move(seg->masks[i])});
      } else {
        auto rt = annotations::parse_rtstruct(*bytes);
        if (!rt) return with_item(rt.status(), item_index);
        if (!wanted_sop.empty() && rt->sop_instance_uid != wanted_sop) continue;
        auto masks = annotations::rasterise_rtstruct(*rt, *geometry);
        if (!masks) return with_item(masks.status(), item_index);
        for (std::size_t i = 0; i < masks->masks.size(); ++i)
          out.masks.push_back({rt->rois[i].name, std::move(masks->masks[i])});
      }
    }
  }
  for (const auto& m : out.masks)
    if (m.mask.nx != out.image.nx || m.mask.ny != out.image.ny || m.mask.nz != out.image.nz)
      return make_error(ErrorCode::geometry_mismatch, "an annotation's grid differs from its image series",
                        {{"item", item_index}});
  if (out.masks.empty())
    return make_error(ErrorCode::unprocessable, "the item has no readable SEG or RTSTRUCT annotation",
                      {{"item", item_index}, {"reason", "no_annotations"}});
  return out;
}

Case3d make_case(const LabelledSeries& s, const HyperParams& h, const std::vector<std::string>& structures,
                 bool instances, int threads) {
  Case3d c;
  c.image = imaging::resample_to_spacing(s.image, h.spacing_mm, imaging::Interpolation::linear, -1024.0f, threads);
  imaging::apply_window(c.image, h.window[0], h.window[1]);
  c.label = c.image.like<std::uint8_t>(0);
  // Larger first, so nested structures stay on top.
  std::vector<std::size_t> order(s.masks.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::size_t> counts(s.masks.size());
  for (std::size_t i = 0; i < s.masks.size(); ++i)
    counts[i] = static_cast<std::size_t>(std::count(s.masks[i].mask.data.begin(), s.masks[i].mask.data.end(), 1));
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return counts[a] > counts[b]; });
  int instance = 0;
  for (std::size_t i : order) {
    int value;
    if (instances) {
      if (instance >= 255) break;
      value = ++instance;
    } else {
      auto it = std::find(structures.begin(), structures.end(), s.masks[i].name);
      if (it == structures.end()) continue;
      value = 1 + static_cast<int>(it - structures.begin());
    }
    // Nearest-neighbour onto the training grid.
    auto grid = c.image.like<std::uint8_t>(0);
    auto m = imaging::resample_to_grid(s.masks[i].mask, grid, 0, threads);
    for (std::size_t v = 0; v < m.data.size(); ++v)
      if (m.data[v]) c.label.data[v] = static_cast<std::uint8_t>(value);
  }
  index_foreground(c);
  return c;
}

Result<std::vector<Image2dCase>> load_projection_cases(const TrainingData& data, const TrainingData::Item& item,
                                                       std::size_t item_index, float label) {
  auto files = data.series_files(item.ref.value("study_uid", ""), item.ref.value("series_uid", ""));
  if (!files) return with_item(files.status(), item_index);
  std::vector<Image2dCase> out;
  for (const auto& f : *files) {
    auto img = imaging::load_projection_image(f);
    if (!img) return with_item(img.status(), item_index);
    out.push_back({std::move(img->image), label});
  }
  if (out.empty())
    return make_error(ErrorCode::unprocessable, "the item's series has no images", {{"item", item_index}});
  return out;
}

}  // namespace medai::training::torch_nets

#pragma once
// Turns dataset items into training cases through TrainingData only: the
// item's image series becomes a volume (imaging/series_volume), its SEG and
// RTSTRUCT annotations ({"kind","series_uid","sop_instance_uid"} in the
// item's ref) become masks on that volume's grid (annotations/seg_reader,
// rtstruct_reader), and MG series become projection images. No LibTorch.
//
// Structure names: an RTSTRUCT ROI's name; a SEG segment's label. For
// detection every SEG segment (or ROI) is one object.
// Errors keep the item's position (detail.item) and never patient data.
#include <string>
#include <vector>

#include "core/status.h"
#include "imaging/series_volume.h"
#include "training/torch/hyper_params.h"
#include "training/torch/patch_sampler.h"
#include "training/trainer.h"

namespace medai::training::torch_nets {

struct NamedMask {
  std::string name;
  imaging::Volume<std::uint8_t> mask;
};

struct LabelledSeries {
  imaging::Volume<float> image;  // HU (modality values), source grid
  std::vector<NamedMask> masks;  // on the same grid
};

// The series and its SEG/RTSTRUCT masks; unprocessable (reason
// "no_annotations") when the item has none that reads.
Result<LabelledSeries> load_labelled_series(const TrainingData& data, const TrainingData::Item& item,
                                            std::size_t item_index);

// Resampled to the training spacing, windowed to [0, 1]; label map with
// class = 1 + index of the mask's name in `structures` (larger structures
// painted first, so nested small ones stay visible); masks whose name is not
// listed are ignored. With `instances`, each mask gets its own label 1..255
// instead (detection).
Case3d make_case(const LabelledSeries& s, const HyperParams& h, const std::vector<std::string>& structures,
                 bool instances, int threads);

// One MG (or DX/CR) image per file of the item's series, each with `label`.
Result<std::vector<Image2dCase>> load_projection_cases(const TrainingData& data, const TrainingData::Item& item,
                                                       std::size_t item_index, float label);

}  // namespace medai::training::torch_nets

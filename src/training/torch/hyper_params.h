#pragma once
// Hyper-parameters of the LibTorch trainers: one parser for the three
// architectures, so validate() and train() read them the same way. Every
// problem is listed (invalid_argument, detail {"problems":[{"field","message"}]});
// unknown keys are problems. No LibTorch here.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace medai::training::torch_nets {

struct Augmentation {
  bool flip = true;             // random flips along each in-plane axis (and z for 3-D)
  bool rotate90 = true;         // random multiples of 90° in the axial / image plane (square patches)
  double rotate_degrees = 10;   // plus a small random rotation in ±degrees (affine)
  double scale = 0.1;           // random isotropic scaling in [1 − s, 1 + s] (affine)
  double intensity_shift = 0.1; // add U(−s, s) (image values are in [0, 1] after windowing)
  double intensity_scale = 0.1; // multiply by U(1 − s, 1 + s)
  bool enabled() const {
    return flip || rotate90 || rotate_degrees > 0 || scale > 0 || intensity_shift > 0 || intensity_scale > 0;
  }
};

struct EarlyStopping {
  bool enabled = false;
  int patience = 5;        // epochs without improvement of the validation metric
  double min_delta = 0.0;  // smaller gains do not count as improvement
};

struct HyperParams {
  int epochs = 20;
  int batch_size = 2;
  double lr = 1e-3;
  std::string schedule = "cosine";  // constant | cosine | step | poly
  std::string optimiser = "adam";   // adam | sgd
  double weight_decay = 0;
  std::string loss;                 // per architecture: see allowed_losses()
  Augmentation augmentation;
  std::vector<int> patch_size;      // 3-D: [x, y, z] voxels; 2-D: [width, height]
  std::vector<double> class_weights;
  EarlyStopping early_stopping;
  std::optional<std::uint64_t> seed;  // overrides the request's seed when given
  // Architecture-specific.
  int depth = 2;                    // unet3d: poolings
  int base_channels = 8;            // unet3d / detector3d: channels of the first level
  bool deep_supervision = false;    // unet3d
  std::vector<int> channels;        // resnet2d: 4 stages
  std::string positive_label;       // resnet2d: the item label counted as positive ("" = inferred)
  std::array<double, 3> spacing_mm{4, 4, 4};  // 3-D: training grid
  std::array<double, 2> window{-400, 1600};   // 3-D: [centre, width] (HU) before the network
  double foreground_fraction = 0.5; // share of patches centred on foreground (3-D)
  int patches_per_volume = 4;       // 3-D: patches drawn from each training volume per epoch
  // unet3d: annotated structures grouped into classes, {"Nodule": ["Nodule *"]}:
  // class name -> name patterns ('*' matches any run of characters, '?' one).
  // A structure matching no pattern is left out (background). Empty: each
  // structure name is its own class.
  std::vector<std::pair<std::string, std::vector<std::string>>> classes;
};

// The class of a structure under HyperParams::classes: the first class with a
// matching pattern, or "" when none matches; the name itself when `classes` is empty.
std::string class_of_structure(const HyperParams& h, const std::string& structure);

// Architectures: "unet3d", "resnet2d", "detector3d".
const std::vector<std::string>& allowed_losses(const std::string& architecture);

// Parses and checks; defaults for absent keys (including the architecture's
// default loss and patch size).
Result<HyperParams> parse_hyper_params(const std::string& architecture, const nlohmann::json& hyper);

// The defaults of `architecture` as hyper-parameter JSON: what
// parse_hyper_params fills in for absent keys, in the form it accepts.
nlohmann::json default_hyper_params(const std::string& architecture);

// Learning-rate factor in (0, 1] for 0-based `epoch` of `epochs`.
double schedule_factor(const std::string& schedule, int epoch, int epochs);

}  // namespace medai::training::torch_nets

#pragma once
// Synthetic chest CT with lung nodules and exact ground truth.
// generate_chest_ct() is a pure function of (seed, options): same input, same
// voxels. Rendering runs slice-parallel on `threads` threads.
#include <cstdint>
#include <vector>

#include "synth/chest_anatomy.h"
#include "synth/chest_tubes.h"
#include "synth/nodule.h"
#include "synth/volume.h"

namespace medai::synth {

struct ChestCtOptions {
  bool small = false;  // 128x128x64 for tests instead of 512x512x(200..350)
  int threads = 2;
  // Redraw the nodules until at least this many (0: as drawn, 0..6); for tests.
  int min_nodules = 0;
  // Force the number of slices (200..350 at full size; 0: drawn from the seed).
  int slices = 0;
  // Reduced-size acquisition (training sets): matrix side N (128..511) over
  // the same field of view and anatomy as the full-size scan of the seed
  // (pixel = full-size pixel x 512/N), 2.0 mm slices (thickness = spacing),
  // so it stays a geometry the lung app accepts (<= 2.5 mm). 0 or 512: full size.
  int matrix = 0;
};

struct ChestCtStudy {
  Volume<std::int16_t> hu;            // Hounsfield units
  Volume<std::uint8_t> nodule_label;  // 0 = none, n = Nodule::id
  std::vector<Nodule> nodules;
  ChestShape shape;
  PatientFactors patient;
  double noise_sigma = 15;            // HU, of the correlated noise
  double slice_thickness = 1;         // mm (= slice spacing)
};

ChestCtStudy generate_chest_ct(std::uint64_t seed, const ChestCtOptions& options);

// Shared by the RT phantom: renders the anatomy (+ tubes, nodules, noise)
// into `hu` (geometry already set) and labels nodules into `label` if given.
struct ChestRenderInputs {
  const ChestAnatomy* anatomy = nullptr;
  const ChestTubes* tubes = nullptr;
  const std::vector<Nodule>* nodules = nullptr;
  double noise_sigma = 15;
  std::uint64_t noise_seed = 0;
  std::uint64_t texture_seed = 0;
  int threads = 2;
};
void render_chest(const ChestRenderInputs& in, Volume<std::int16_t>& hu, Volume<std::uint8_t>* label);

// Fills voxel_count, volume, centroid, max axial diameter of each nodule from the labels.
void measure_nodules(const Volume<std::uint8_t>& label, std::vector<Nodule>& nodules);

}  // namespace medai::synth

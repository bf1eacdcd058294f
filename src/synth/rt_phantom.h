#pragma once
// Radiotherapy planning CT of a thorax phantom (the chest anatomy at planning
// geometry: large field of view, 2-3 mm slices) with an irregular lung tumour
// (GTV) and organs at risk. Structures are exact voxel masks; names follow
// AAPM TG-263.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "synth/nodule.h"
#include "synth/volume.h"

namespace medai::synth {

struct RtStructure {
  std::string name;            // TG-263
  std::string interpreted_type;  // RTROIInterpretedType: EXTERNAL, ORGAN, GTV
  std::array<int, 3> rgb{255, 0, 0};
  std::uint8_t bit = 0;        // bit in RtPhantom::structures
};

struct RtPhantom {
  Volume<std::int16_t> hu;
  Volume<std::uint8_t> structures;  // bit flags, see `rois`
  std::vector<RtStructure> rois;
  Nodule gtv;                        // shape parameters of the tumour
  int age = 65;
  bool female = false;
};

struct RtOptions {
  bool small = false;  // 128x128x48 instead of 512x512x(120..160)
  // In-plane matrix of the full-size plan (0: 512). The same patient, field of
  // view and slices at a coarser pixel (e.g. 256: ~2.1 mm) — training sets at a
  // quarter of the disk space. Ignored with `small`.
  int matrix = 0;
  int threads = 2;
};

RtPhantom generate_rt_phantom(std::uint64_t seed, const RtOptions& options);

// The structures in writing order (External, Lung_L, Lung_R, SpinalCord, Heart, GTV).
const std::vector<RtStructure>& rt_structures();

}  // namespace medai::synth

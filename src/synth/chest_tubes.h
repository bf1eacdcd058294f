#pragma once
// Tubular anatomy of the chest: pulmonary vessel trees (branching tubes that
// thin towards the periphery, Murray-like radius ratios), great vessels,
// oesophagus, trachea and bronchi (wall + air lumen).
#include <vector>

#include "synth/chest_anatomy.h"
#include "synth/rng.h"
#include "synth/tubes.h"

namespace medai::synth {

struct ChestTubes {
  std::vector<Tube> pulmonary;    // vessel trees inside the lungs (+blood HU)
  std::vector<Tube> mediastinal;  // aorta, pulmonary arteries, SVC, oesophagus (+blood HU)
  std::vector<Tube> airway_wall;  // outer surface of trachea and bronchi (soft tissue)
  std::vector<Tube> airway_lumen; // air inside them
};

ChestTubes grow_chest_tubes(const ChestAnatomy& anatomy, Rng& rng);

}  // namespace medai::synth

#pragma once
// Lung nodules: shape (lobulated / spiculated surfaces), density by type,
// placement (isolated, juxta-pleural, juxta-vascular) and a malignancy label
// drawn from the Brock (PanCan) model probability, see docs/synthetic-data.md.
#include <array>
#include <string>
#include <vector>

#include "synth/chest_anatomy.h"
#include "synth/rng.h"
#include "synth/tubes.h"

namespace medai::synth {

enum class NoduleType { solid, part_solid, ground_glass };
enum class NoduleMargin { smooth, lobulated, spiculated };
enum class NoduleLocation { isolated, juxta_pleural, juxta_vascular };

std::string to_string(NoduleType t);
std::string to_string(NoduleMargin m);
std::string to_string(NoduleLocation l);

struct Lobule {
  Vec3 dir;           // unit vector of the bump
  double amplitude;   // relative radius increase at its centre
  double width;       // angular width (1 - cos)
};

struct Nodule {
  int id = 0;  // 1-based; also the SEG segment number and label value
  NoduleType type = NoduleType::solid;
  NoduleMargin margin = NoduleMargin::smooth;
  NoduleLocation location = NoduleLocation::isolated;
  Vec3 centre;                 // design centre (mm)
  double radius = 5;           // nominal mean radius (mm)
  std::array<double, 3> stretch{1, 1, 1};  // anisotropy of the body
  std::vector<Lobule> lobules;
  std::vector<Tube> spicules;  // drawn, not part of the mask
  double hu = 40;              // solid part / ground glass density
  double core_hu = 30;         // part-solid: solid core density
  double core_fraction = 0;    // part-solid: core radius / radius
  Vec3 core_offset;
  bool upper_lobe = false;
  double malignancy_probability = 0;
  bool malignant = false;

  // Filled from the rendered label volume.
  std::size_t voxel_count = 0;
  double volume_mm3 = 0;
  Vec3 centroid;               // mm, patient coordinates
  std::array<int, 3> centroid_voxel{0, 0, 0};
  double max_axial_diameter_mm = 0;

  // r(u) - |p - c| in mm (> 0 inside the body of the nodule).
  double depth(const Vec3& p) const;
  // Same for the solid core of a part-solid nodule (< 0 everywhere otherwise).
  double core_depth(const Vec3& p) const;
  // Bounding half-size including spicules (mm).
  double reach() const;
};

struct PatientFactors {
  int age = 62;
  bool female = false;
};

// Draws 0..6 nodules and places them in the lungs; `vessels` lets some of them
// touch a vessel. Nodules smaller than `min_diameter` are not drawn (so each
// one covers at least its centre voxel at the volume's resolution).
std::vector<Nodule> place_nodules(const ChestAnatomy& anatomy, const std::vector<Tube>& vessels,
                                  const PatientFactors& patient, double min_diameter, Rng& rng);

// Brock model (McWilliams et al., NEJM 2013, full model with spiculation),
// without family history and emphysema: probability of malignancy.
double brock_probability(const PatientFactors& p, double diameter_mm, NoduleType type, bool upper_lobe,
                         bool spiculated, int nodule_count);

}  // namespace medai::synth

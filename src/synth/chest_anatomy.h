#pragma once
// ChestAnatomy: an analytic adult thorax (patient coordinates, LPS, mm; z up
// to the head) built from implicit shapes: body outline, subcutaneous fat,
// chest-wall muscle, rib cage (12 sloping ribs + costal cartilage), sternum,
// spine (vertebral bodies, discs, canal, posterior arch), mediastinum with
// heart, liver/spleen below the diaphragm domes, and two lungs. Every shape is
// a signed distance (mm, < 0 inside) so the renderer can draw partial-volume
// edges and the nodule placer can ask "how deep inside the lung is this point".
// Tubular structures (vessels, airways, great vessels) are in chest_tubes.h.
#include <vector>

#include "synth/rng.h"
#include "synth/volume.h"

namespace medai::synth {

struct ChestShape {
  // Scan extent along z (mm) and in-plane field of view.
  double z_bottom = 0, z_top = 300;
  // Body outline: half width, anterior / posterior half depth, centre y.
  double body_a = 165, body_b_ant = 110, body_b_post = 100, body_cy = 0;
  double fat = 15;          // subcutaneous fat thickness (mm)
  double wall = 14;         // chest-wall muscle thickness laterally (mm)
  // Thoracic cavity (inner surface of the rib cage).
  double cav_a = 130, cav_b = 90, cav_cy = -5;
  // Lungs.
  double lung_apex_z = 290;    // top of the lungs
  double dome_right_z = 60;    // top of the right diaphragm dome
  double dome_left_z = 45;
  double dome_depth = 55;      // costophrenic recess below the dome top
  double lung_hu = -850;       // mean parenchyma density
  double dependent_hu = 40;    // posterior (gravity-dependent) increase
  // Mediastinum and heart.
  double medi_half_width = 22;  // above the heart
  Vec3 heart_c{20, -25, 100};
  double heart_a = 62, heart_b = 48, heart_c_axis = 60, heart_angle = 0.5;
  // Spine.
  double vb_y = 60, vb_r = 17, vert_pitch = 27, vert_phase = 0;
  // Ribs: posterior end of rib 1, spacing, anterior drop, radial and z size.
  double rib_top_z = 285, rib_pitch = 23, rib_drop = 60, rib_w = 8, rib_h = 11;
  double sternum_top_z = 250, sternum_bottom_z = 120;
  // Table under the patient: y of its top surface at x = 0.
  double table_y = 130;
  // Tissue densities (HU).
  double fat_hu = -100, muscle_hu = 45, medi_fat_hu = -90, blood_hu = 40, liver_hu = 58;

  static ChestShape random(Rng& rng, double z_bottom, double z_top, double fov_half_width);
};

// Per-pixel sample of the static anatomy.
struct ChestSample {
  float hu = -1000;        // density without vessels, nodules, texture or noise
  float lung = 0;          // lung coverage in [0,1]
  float lung_sd = 1e3f;    // signed distance to the lung surface (mm)
  float heart = 0;         // heart coverage
  float cavity = 0;        // inside the thoracic cavity above the diaphragm (mediastinum + lungs)
  bool body = false;
  bool spinal_canal = false;
};

// Slice-dependent quantities, computed once per z.
struct ChestSlice {
  double z = 0;
  double cav_a = 0, cav_b = 0;  // thoracic cavity half axes at this level
  bool heart = false;
  double heart_a = 0, heart_b = 0;
  double medi_half_width = 0;
  bool sternum = false;
  bool disc = false;        // intervertebral disc level
  // Precomputed inverse squared half axes (the per-pixel code avoids divisions).
  double cav_ia = 0, cav_ib = 0, cav_m = 0;
  double heart_ia = 0, heart_ib = 0, heart_m = 0;     // heart
  double peri_ia = 0, peri_ib = 0, peri_m = 0;        // heart + pericardial margin
  double medi_ia = 0, medi_ib = 0, medi_m = 0;
};

class ChestAnatomy {
 public:
  explicit ChestAnatomy(const ChestShape& s);
  const ChestShape& shape() const { return s_; }

  ChestSlice slice(double z) const;
  // `px` is the pixel size used for partial-volume edges.
  ChestSample sample(double x, double y, const ChestSlice& sl, double px) const;
  // Signed distance (mm) to the lung surface at p; < 0 inside either lung.
  double lung_sd(const Vec3& p) const;
  double lung_sd(double x, double y, const ChestSlice& sl) const;
  double body_sd(double x, double y) const;
  // Half width of the body outline on the row at y (< 0 above/below the body).
  double body_half_width(double y) const;
  // Density outside the patient (air, or the table below).
  float outside_hu(double x, double y) const;
  // Which lung a point belongs to (by side): +1 left (x > 0), -1 right.
  static int side(double x) { return x > 0 ? 1 : -1; }
  // Hilum of each lung (where the vessel and airway trees start).
  Vec3 hilum(int side) const;
  double carina_z() const;

 private:
  double dome_z(double x, double y) const;
  ChestShape s_;
  double cos_h_ = 1, sin_h_ = 0;  // heart rotation
  double body_ia_ = 0, body_ib_ant_ = 0, body_ib_post_ = 0, body_m_ant_ = 0, body_m_post_ = 0;
  double muscle_ia_ = 0, muscle_ib_ant_ = 0, muscle_ib_post_ = 0, muscle_m_ant_ = 0, muscle_m_post_ = 0;
};

}  // namespace medai::synth

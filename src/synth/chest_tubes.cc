#include "synth/chest_tubes.h"

#include <algorithm>
#include <cmath>

namespace medai::synth {
namespace {

Vec3 normalized(const Vec3& v) {
  const double n = std::sqrt(v.norm2());
  return n > 1e-12 ? v * (1.0 / n) : Vec3{0, 0, 1};
}

Vec3 random_unit(Rng& rng) {
  const double z = rng.uniform(-1, 1), a = rng.uniform(0, 6.283185307179586);
  const double r = std::sqrt(1 - z * z);
  return {r * std::cos(a), r * std::sin(a), z};
}

Vec3 perpendicular(const Vec3& d, Rng& rng) {
  const Vec3 r = random_unit(rng);
  return normalized(r - d * r.dot(d));
}

struct Bud {
  Vec3 p, dir;
  double r;
  int depth;
};

// Grows a tree of tubes from `root` along `dir`, staying inside the lungs.
// Each segment is a few radii long; each bud forks into two thinner children.
void grow_tree(const ChestAnatomy& anatomy, Rng& rng, Vec3 root, Vec3 dir, double r0, double r_min,
               std::size_t max_tubes, std::vector<Tube>& out, std::vector<Tube>* lumen = nullptr) {
  std::vector<Bud> stack{{root, normalized(dir), r0, 0}};
  const std::size_t start = out.size();
  while (!stack.empty() && out.size() - start < max_tubes) {
    Bud b = stack.back();
    stack.pop_back();
    const double length = std::clamp(b.r * rng.uniform(4.0, 7.0), 2.5, 30.0);
    bool placed = false;
    Vec3 d, end;
    // Space filling: lean away from the root so trees spread to the periphery.
    const Vec3 outward = normalized(b.p - root);
    for (int attempt = 0; attempt < 8 && !placed; ++attempt) {
      const double jitter = attempt == 0 ? 0.15 : 0.5;
      const double len = attempt < 4 ? length : 0.5 * length;
      d = normalized(b.dir + outward * (b.depth > 0 ? 0.25 : 0.0) + random_unit(rng) * jitter);
      end = b.p + d * len;
      // Trunks start in the hilum (outside the lung); the rest must stay inside.
      placed = (b.depth == 0 && anatomy.lung_sd(end) < 0) || anatomy.lung_sd(end) < -0.6 * b.r - 0.5;
    }
    if (!placed) continue;
    const double r_end = b.r * 0.98;
    if (lumen) {
      // Airway: wall thickness about a fifth of the lumen radius (at least 0.6 mm).
      out.push_back({b.p, end, static_cast<float>(b.r + std::max(0.6, 0.2 * b.r)),
                     static_cast<float>(r_end + std::max(0.6, 0.2 * r_end))});
      lumen->push_back({b.p, end, static_cast<float>(b.r), static_cast<float>(r_end)});
    } else {
      out.push_back({b.p, end, static_cast<float>(b.r), static_cast<float>(r_end)});
    }
    if (b.depth >= 24) continue;
    const double r1 = r_end * rng.uniform(0.8, 0.93), r2 = r_end * rng.uniform(0.62, 0.86);
    const Vec3 perp = perpendicular(d, rng);
    const double a1 = rng.uniform(0.25, 0.6), a2 = rng.uniform(0.45, 0.9);
    const Vec3 d1 = normalized(d * std::cos(a1) + perp * std::sin(a1));
    const Vec3 d2 = normalized(d * std::cos(a2) - perp * std::sin(a2));
    if (r2 >= r_min) stack.push_back({end, d2, r2, b.depth + 1});
    if (r1 >= r_min) stack.push_back({end, d1, r1, b.depth + 1});
  }
}

}  // namespace

ChestTubes grow_chest_tubes(const ChestAnatomy& anatomy, Rng& rng) {
  const ChestShape& s = anatomy.shape();
  ChestTubes t;
  const double carina = anatomy.carina_z();
  const double top = s.z_top + 20.0, bottom = s.z_bottom - 20.0;

  // Airways: trachea, main bronchi, bronchial trees (to ~1 mm lumen).
  const double trachea_y = s.vb_y - s.vb_r - 24.0;
  const double tr = rng.uniform(7.5, 9.5);
  const Vec3 carina_p{0.0, trachea_y, carina};
  t.airway_wall.push_back({{0.0, trachea_y - 4.0, top}, carina_p, static_cast<float>(tr + 1.8), static_cast<float>(tr + 1.8)});
  t.airway_lumen.push_back({{0.0, trachea_y - 4.0, top}, carina_p, static_cast<float>(tr), static_cast<float>(tr)});
  for (int side : {-1, 1}) {
    Vec3 h = anatomy.hilum(side);
    h.y += 8.0;
    h.z += 6.0;
    const double br = side < 0 ? 6.5 : 5.5;
    t.airway_wall.push_back({carina_p, h, static_cast<float>(br + 1.5), static_cast<float>(br + 1.3)});
    t.airway_lumen.push_back({carina_p, h, static_cast<float>(br), static_cast<float>(br * 0.9)});
    Rng br_rng = rng.fork("bronchi", static_cast<std::uint64_t>(side + 1));
    for (const Vec3& dir : {Vec3{side * 0.3, 0.0, 1.0}, Vec3{side * 1.0, -0.4, -0.1}, Vec3{side * 0.5, 0.5, -1.0}}) {
      grow_tree(anatomy, br_rng, h, dir, br * 0.7, 1.0, 400, t.airway_wall, &t.airway_lumen);
    }
  }

  // Great vessels and oesophagus.
  const Vec3 hc = s.heart_c;
  const double arch_z = carina + 22.0;
  const double ya = s.cav_cy - s.cav_b * 0.35, yd = s.vb_y - s.vb_r - 10.0;
  const Vec3 asc0{-6.0, hc.y + 5.0, hc.z + 25.0}, asc1{-14.0, ya, arch_z};
  const Vec3 arch_mid{-2.0, 0.5 * (ya + yd), arch_z + 14.0}, desc0{17.0, yd, arch_z};
  const Vec3 desc1{13.0, s.vb_y - s.vb_r - 6.0, bottom};
  const float ra = static_cast<float>(rng.uniform(13, 16)), rd = static_cast<float>(rng.uniform(10.5, 12.5));
  t.mediastinal.push_back({asc0, asc1, ra, ra});
  t.mediastinal.push_back({asc1, arch_mid, ra, rd + 1});
  t.mediastinal.push_back({arch_mid, desc0, rd + 1, rd});
  t.mediastinal.push_back({desc0, desc1, rd, rd * 0.95f});
  for (double off : {-12.0, 0.0, 12.0}) {  // brachiocephalic, left carotid, left subclavian
    t.mediastinal.push_back({{arch_mid.x + off * 0.8, arch_mid.y + off * 0.4, arch_z + 8.0},
                             {arch_mid.x + off * 1.8, arch_mid.y + off * 0.3 - 18.0, top},
                             static_cast<float>(off < 0 ? 6.0 : 4.5), 4.0f});
  }
  const Vec3 pt0{hc.x - 5.0, hc.y - 12.0, hc.z + 30.0}, pt1{12.0, s.cav_cy - 12.0, carina - 14.0};
  t.mediastinal.push_back({pt0, pt1, 13.0f, 12.0f});
  for (int side : {-1, 1}) t.mediastinal.push_back({pt1, anatomy.hilum(side), 10.0f, 8.0f});
  t.mediastinal.push_back({{-26.0, ya + 4.0, top}, {-24.0, hc.y - 2.0, hc.z + 22.0}, 9.0f, 10.0f});  // SVC
  t.mediastinal.push_back({{4.0, s.vb_y - s.vb_r - 9.0, top}, {10.0, s.vb_y - s.vb_r - 9.0, bottom}, 6.0f, 6.0f});

  // Pulmonary vessel trees. Lobar/segmental trunks run from the hilum to
  // points spread through each lung (so every region is supplied); from each
  // of those a random branching subtree fills the periphery.
  const double x_lim = s.cav_a, y_lo = s.cav_cy - s.cav_b, y_hi = s.cav_cy + s.cav_b;
  const double z_lo = std::min(s.dome_left_z, s.dome_right_z) - 0.5 * s.dome_depth, z_hi = s.lung_apex_z;
  for (int side : {-1, 1}) {
    const Vec3 h = anatomy.hilum(side);
    Rng tree_rng = rng.fork("vessels", static_cast<std::uint64_t>(side + 1));
    int trunks = 0;
    for (int attempt = 0; attempt < 4000 && trunks < 24; ++attempt) {
      const Vec3 target{side * tree_rng.uniform(0.0, x_lim), tree_rng.uniform(y_lo, y_hi), tree_rng.uniform(z_lo, z_hi)};
      if (anatomy.lung_sd(target) > -8.0) continue;
      // The straight path must stay in the lung (except its start in the hilum).
      bool inside = true;
      for (double f = 0.25; f <= 0.75 && inside; f += 0.25) inside = anatomy.lung_sd(h + (target - h) * f) < -2.0;
      if (!inside) continue;
      ++trunks;
      const double r0 = tree_rng.uniform(2.8, 4.2), r1 = tree_rng.uniform(1.6, 2.3);
      const Vec3 mid = h + (target - h) * 0.5 + random_unit(tree_rng) * 4.0;
      t.pulmonary.push_back({h, mid, static_cast<float>(r0), static_cast<float>(0.5 * (r0 + r1))});
      t.pulmonary.push_back({mid, target, static_cast<float>(0.5 * (r0 + r1)), static_cast<float>(r1)});
      for (int sub = 0; sub < 3; ++sub) {
        const Vec3 dir = normalized(target - mid) + random_unit(tree_rng) * 0.9;
        grow_tree(anatomy, tree_rng, target, dir, r1 * tree_rng.uniform(0.75, 0.95), 0.45, 700, t.pulmonary);
      }
    }
  }
  return t;
}

}  // namespace medai::synth

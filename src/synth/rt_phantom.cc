#include "synth/rt_phantom.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "synth/chest_ct.h"
#include "synth/chest_tubes.h"
#include "synth/rng.h"

namespace medai::synth {

const std::vector<RtStructure>& rt_structures() {
  static const std::vector<RtStructure> rois = {
      {"External", "EXTERNAL", {0, 200, 0}, 1},   {"Lung_L", "ORGAN", {0, 160, 255}, 2},
      {"Lung_R", "ORGAN", {255, 160, 0}, 4},      {"SpinalCord", "ORGAN", {255, 255, 0}, 8},
      {"Heart", "ORGAN", {255, 0, 160}, 16},      {"GTV", "GTV", {255, 0, 0}, 32},
  };
  return rois;
}

RtPhantom generate_rt_phantom(std::uint64_t seed, const RtOptions& options) {
  Rng rng(seed);
  RtPhantom out;
  out.rois = rt_structures();
  const int nxy = options.small ? 128 : options.matrix > 0 ? options.matrix : 512;
  Rng geo = rng.fork("geometry");
  const double extent = geo.uniform(300, 360);
  const double dz = options.small ? extent / 48 : (geo.chance(0.5) ? 2.0 : 2.5);
  const int nz = options.small ? 48 : static_cast<int>(std::lround(extent / dz));
  // Planning CT: the whole body outline must be inside the field of view.
  const double fov = options.small ? 500.0 : geo.uniform(500, 600);
  const double px = fov / nxy;
  out.hu = Volume<std::int16_t>(nxy, nxy, nz);
  out.hu.spacing = {px, px, dz};
  out.hu.origin = {-fov / 2 + px / 2, -fov / 2 + px / 2 + 40.0, -extent * 0.5};
  const double z_bottom = out.hu.origin[2], z_top = z_bottom + (nz - 1) * dz;
  Rng body = rng.fork("body");
  const ChestShape shape = ChestShape::random(body, z_bottom, z_top, fov / 2);
  const ChestAnatomy anatomy(shape);
  Rng tube_rng = rng.fork("tubes");
  const ChestTubes tubes = grow_chest_tubes(anatomy, tube_rng);
  Rng pat = rng.fork("patient");
  out.age = pat.integer(45, 85);
  out.female = pat.chance(0.4);

  // GTV: a large irregular solid tumour, often touching the pleura or mediastinum.
  Rng tr = rng.fork("gtv");
  Nodule& g = out.gtv;
  g.id = 1;
  g.type = NoduleType::solid;
  g.margin = NoduleMargin::lobulated;
  g.radius = tr.uniform(12, 28);
  g.hu = tr.uniform(25, 55);
  for (double& s : g.stretch) s = tr.uniform(0.8, 1.25);
  const int nl = tr.integer(4, 7);
  for (int i = 0; i < nl; ++i) {
    const double zz = tr.uniform(-1, 1), a = tr.uniform(0, 6.283185307179586), rr = std::sqrt(1 - zz * zz);
    g.lobules.push_back({{rr * std::cos(a), rr * std::sin(a), zz}, tr.uniform(0.15, 0.4), tr.uniform(0.15, 0.4)});
  }
  const bool touch = tr.chance(0.5);
  for (int attempt = 0; attempt < 20000; ++attempt) {
    const Vec3 c{tr.uniform(-shape.cav_a, shape.cav_a), tr.uniform(shape.cav_cy - shape.cav_b, shape.cav_cy + shape.cav_b),
                 tr.uniform(shape.dome_right_z, shape.lung_apex_z - 20)};
    const double sd = anatomy.lung_sd(c);
    if (touch ? (sd < -0.4 * g.radius && sd > -0.7 * g.radius) : sd < -(g.radius + 3)) {
      g.centre = c;
      break;
    }
  }
  const std::vector<Nodule> gtvs{g};

  ChestRenderInputs in;
  in.anatomy = &anatomy;
  in.tubes = &tubes;
  in.nodules = &gtvs;
  in.noise_sigma = rng.fork("noise").uniform(8, 15);
  in.noise_seed = mix64(seed ^ 0x6e6f697365ULL);
  in.texture_seed = mix64(seed ^ 0x74657874ULL);
  in.threads = options.threads;
  Volume<std::uint8_t> gtv_label = out.hu.like<std::uint8_t>();
  render_chest(in, out.hu, &gtv_label);

  // Structure masks from the same analytic anatomy (voxel centre inside).
  out.structures = out.hu.like<std::uint8_t>();
  const int threads = std::max(1, options.threads);
  auto work = [&](int t) {
    for (int k = t; k < nz; k += threads) {
      const Vec3 p0 = out.hu.position(0, 0, k);
      const ChestSlice sl = anatomy.slice(p0.z);
      std::uint8_t* s = out.structures.slice(k);
      const std::uint8_t* gl = gtv_label.slice(k);
      for (int j = 0; j < nxy; ++j) {
        for (int i = 0; i < nxy; ++i) {
          const double x = p0.x + i * px, y = p0.y + j * px;
          const std::size_t idx = static_cast<std::size_t>(j) * nxy + i;
          std::uint8_t bits = 0;
          if (anatomy.body_sd(x, y) <= 0) {
            bits |= 1;
            const ChestSample cs = anatomy.sample(x, y, sl, px);
            if (gl[idx]) {
              bits |= 32;
            } else if (cs.lung_sd <= 0) {
              bits |= x > 0 ? 2 : 4;
            }
            if (cs.spinal_canal) bits |= 8;
            if (cs.heart >= 0.5f) bits |= 16;
          }
          s[idx] = bits;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  std::vector<Nodule> measured{g};
  measure_nodules(gtv_label, measured);
  out.gtv = measured[0];
  return out;
}

}  // namespace medai::synth

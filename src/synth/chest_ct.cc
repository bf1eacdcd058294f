#include "synth/chest_ct.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "synth/noise.h"
#include "synth/rng.h"

namespace medai::synth {
namespace {

// Renders slice k. Buffers are per thread.
struct SliceBuffers {
  std::vector<float> value, lung, cavity, vessel, wall, lumen, noise, texture;
  // value, lung, cavity, noise and texture are fully overwritten per slice;
  // only the tube coverages accumulate and need clearing.
  void resize(std::size_t n, std::size_t coarse) {
    for (auto* b : {&value, &lung, &cavity, &noise}) b->resize(n);
    for (auto* b : {&vessel, &wall, &lumen}) b->assign(n, 0.0f);
    texture.resize(coarse);
  }
};

void render_slice(const ChestRenderInputs& in, const TubeIndex& pulm_idx, const TubeIndex& medi_idx,
                  const TubeIndex& wall_idx, const TubeIndex& lumen_idx, const ValueNoise& texture_noise, int k,
                  Volume<std::int16_t>& hu, Volume<std::uint8_t>* label, SliceBuffers& b) {
  const ChestAnatomy& anat = *in.anatomy;
  const int nx = hu.nx, ny = hu.ny;
  const std::size_t n = static_cast<std::size_t>(nx) * ny;
  constexpr int kCoarse = 6;
  const int cx = nx / kCoarse + 2, cy = ny / kCoarse + 2;
  b.resize(n, static_cast<std::size_t>(cx) * cy);
  const double px = hu.spacing[0];
  const Vec3 p0 = hu.position(0, 0, k);
  const double z = p0.z;
  const ChestSlice sl = anat.slice(z);

  // Static anatomy.
  for (int j = 0; j < ny; ++j) {
    const double y = p0.y + j * hu.spacing[1];
    // Pixels more than 2 px beyond the outline's chord on this row skip the
    // anatomy: air or table, as sample() would return (only the skin's
    // partial-volume edge at the very top and bottom of the outline is lost).
    const double half = anat.body_half_width(y) + 2.0 * px;
    for (int i = 0; i < nx; ++i) {
      const double x = p0.x + i * px;
      const std::size_t idx = static_cast<std::size_t>(j) * nx + i;
      if (std::fabs(x) > half) {
        b.value[idx] = anat.outside_hu(x, y);
        b.lung[idx] = 0.0f;
        b.cavity[idx] = 0.0f;
        continue;
      }
      const ChestSample s = anat.sample(x, y, sl, px);
      b.value[idx] = s.hu;
      b.lung[idx] = s.lung;
      b.cavity[idx] = s.cavity;
    }
  }
  // Parenchymal texture: 3-D fractal noise sampled on a coarse grid, interpolated.
  for (int cj = 0; cj < cy; ++cj) {
    for (int ci = 0; ci < cx; ++ci) {
      const double x = p0.x + ci * kCoarse * px, y = p0.y + cj * kCoarse * hu.spacing[1];
      b.texture[static_cast<std::size_t>(cj) * cx + ci] = texture_noise.fbm(x / 9.0, y / 9.0, z / 9.0, 2, 0.55);
    }
  }
  for (int j = 0; j < ny; ++j) {
    const int cj = j / kCoarse;
    const float fy = static_cast<float>(j % kCoarse) / kCoarse;
    for (int i = 0; i < nx; ++i) {
      const std::size_t idx = static_cast<std::size_t>(j) * nx + i;
      if (b.lung[idx] <= 0.0f) continue;
      const int ci = i / kCoarse;
      const float fx = static_cast<float>(i % kCoarse) / kCoarse;
      const float* t0 = &b.texture[static_cast<std::size_t>(cj) * cx + ci];
      const float* t1 = t0 + cx;
      const float t = (t0[0] * (1 - fx) + t0[1] * fx) * (1 - fy) + (t1[0] * (1 - fx) + t1[1] * fx) * fy;
      b.value[idx] += b.lung[idx] * 18.0f * t;
    }
  }
  // Tubes.
  SliceGrid grid{nx, ny, p0.x, p0.y, px, hu.spacing[1], z};
  rasterize_tubes(in.tubes->pulmonary, pulm_idx.at(k), grid, b.vessel.data());
  rasterize_tubes(in.tubes->mediastinal, medi_idx.at(k), grid, b.vessel.data());
  rasterize_tubes(in.tubes->airway_wall, wall_idx.at(k), grid, b.wall.data());
  rasterize_tubes(in.tubes->airway_lumen, lumen_idx.at(k), grid, b.lumen.data());
  const float blood = static_cast<float>(anat.shape().blood_hu);
  for (std::size_t idx = 0; idx < n; ++idx) {
    float v = b.value[idx];
    // Pulmonary vessels only where there is thoracic cavity (not in the chest wall or bone).
    const float c = b.cavity[idx];
    if (c > 0.0f) {
      v += (blood - v) * b.vessel[idx] * c;
      v += (40.0f - v) * b.wall[idx] * c;
      v += (-990.0f - v) * b.lumen[idx] * c;
    }
    b.value[idx] = v;
  }
  // Nodules: brighten towards the nodule density; label the body of the nodule.
  std::uint8_t* lab = label ? label->slice(k) : nullptr;
  if (lab) std::fill(lab, lab + n, 0);
  if (in.nodules) {
    for (const Nodule& nod : *in.nodules) {
      const double reach = nod.reach() + px;
      if (std::fabs(z - nod.centre.z) > reach) continue;
      const int i0 = std::max(0, static_cast<int>((nod.centre.x - reach - p0.x) / px));
      const int i1 = std::min(nx - 1, static_cast<int>((nod.centre.x + reach - p0.x) / px) + 1);
      const int j0 = std::max(0, static_cast<int>((nod.centre.y - reach - p0.y) / hu.spacing[1]));
      const int j1 = std::min(ny - 1, static_cast<int>((nod.centre.y + reach - p0.y) / hu.spacing[1]) + 1);
      std::vector<float> spic(static_cast<std::size_t>(std::max(0, i1 - i0 + 1)) * std::max(0, j1 - j0 + 1), 0.0f);
      if (!nod.spicules.empty() && !spic.empty()) {
        std::vector<int> all(nod.spicules.size());
        for (std::size_t s = 0; s < all.size(); ++s) all[s] = static_cast<int>(s);
        SliceGrid sub{i1 - i0 + 1, j1 - j0 + 1, p0.x + i0 * px, p0.y + j0 * hu.spacing[1], px, hu.spacing[1], z};
        rasterize_tubes(nod.spicules, all, sub, spic.data());
      }
      const double solid_hu = nod.type == NoduleType::part_solid ? nod.core_hu : nod.hu;
      for (int j = j0; j <= j1; ++j) {
        for (int i = i0; i <= i1; ++i) {
          const std::size_t idx = static_cast<std::size_t>(j) * nx + i;
          const float lung = b.lung[idx];
          if (lung <= 0.0f) continue;
          const Vec3 p{p0.x + i * px, p0.y + j * hu.spacing[1], z};
          const double d = nod.depth(p);
          float v = b.value[idx];
          const double occ = std::clamp(d / px + 0.5, 0.0, 1.0) * lung;
          // Internal heterogeneity: reuse the slice texture, stronger for ground glass.
          const double het = nod.type == NoduleType::solid ? 8.0 : 40.0;
          const double target = nod.hu + het * b.texture[static_cast<std::size_t>(j / kCoarse) * cx + i / kCoarse];
          if (occ > 0 && target > v) v += static_cast<float>((target - v) * occ);
          if (nod.core_fraction > 0) {
            const double cocc = std::clamp(nod.core_depth(p) / px + 0.5, 0.0, 1.0) * lung;
            if (cocc > 0 && nod.core_hu > v) v += static_cast<float>((nod.core_hu - v) * cocc);
          }
          const float so = spic[static_cast<std::size_t>(j - j0) * (i1 - i0 + 1) + (i - i0)] * lung;
          if (so > 0 && solid_hu > v) v += static_cast<float>((solid_hu - v) * so);
          b.value[idx] = v;
          if (lab && d >= 0.0 && lung >= 0.5f) lab[idx] = static_cast<std::uint8_t>(nod.id);
        }
      }
    }
  }
  // Correlated noise: white noise smoothed by a 3x3 binomial kernel (a CT-like
  // noise power spectrum without the high frequencies), scaled to sigma.
  const std::uint64_t base = static_cast<std::uint64_t>(k) * n;
  for (std::size_t idx = 0; idx < n; ++idx) b.noise[idx] = counter_normal(in.noise_seed, base + idx);
  const float scale = static_cast<float>(in.noise_sigma / 0.375);
  std::int16_t* out = hu.slice(k);
  for (int j = 0; j < ny; ++j) {
    const int jm = std::max(0, j - 1), jp = std::min(ny - 1, j + 1);
    const float* r0 = &b.noise[static_cast<std::size_t>(jm) * nx];
    const float* r1 = &b.noise[static_cast<std::size_t>(j) * nx];
    const float* r2 = &b.noise[static_cast<std::size_t>(jp) * nx];
    for (int i = 0; i < nx; ++i) {
      const int im = std::max(0, i - 1), ip = std::min(nx - 1, i + 1);
      const float s = (r0[im] + 2 * r0[i] + r0[ip] + 2 * (r1[im] + 2 * r1[i] + r1[ip]) + r2[im] + 2 * r2[i] + r2[ip]) *
                      (1.0f / 16.0f);
      const std::size_t idx = static_cast<std::size_t>(j) * nx + i;
      const float v = b.value[idx] + s * scale;
      const float c = std::clamp(v, -1024.0f, 3071.0f);
      out[idx] = static_cast<std::int16_t>(c >= 0 ? c + 0.5f : c - 0.5f);
    }
  }
}

}  // namespace

void render_chest(const ChestRenderInputs& in, Volume<std::int16_t>& hu, Volume<std::uint8_t>* label) {
  const double z0 = hu.origin[2], dz = hu.spacing[2];
  const TubeIndex pulm(in.tubes->pulmonary, z0, dz, hu.nz), medi(in.tubes->mediastinal, z0, dz, hu.nz);
  const TubeIndex wall(in.tubes->airway_wall, z0, dz, hu.nz), lumen(in.tubes->airway_lumen, z0, dz, hu.nz);
  const ValueNoise texture(in.texture_seed);
  const int threads = std::max(1, in.threads);
  auto work = [&](int t) {
    SliceBuffers buffers;
    for (int k = t; k < hu.nz; k += threads) render_slice(in, pulm, medi, wall, lumen, texture, k, hu, label, buffers);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
}

void measure_nodules(const Volume<std::uint8_t>& label, std::vector<Nodule>& nodules) {
  struct Acc {
    std::size_t count = 0;
    double sx = 0, sy = 0, sz = 0;
    int i0 = 1 << 30, i1 = -1, j0 = 1 << 30, j1 = -1, k0 = 1 << 30, k1 = -1;
  };
  std::vector<Acc> acc(256);
  for (int k = 0; k < label.nz; ++k) {
    const std::uint8_t* s = label.slice(k);
    for (int j = 0; j < label.ny; ++j) {
      for (int i = 0; i < label.nx; ++i) {
        const std::uint8_t v = s[static_cast<std::size_t>(j) * label.nx + i];
        if (!v) continue;
        Acc& a = acc[v];
        ++a.count;
        a.sx += i;
        a.sy += j;
        a.sz += k;
        a.i0 = std::min(a.i0, i); a.i1 = std::max(a.i1, i);
        a.j0 = std::min(a.j0, j); a.j1 = std::max(a.j1, j);
        a.k0 = std::min(a.k0, k); a.k1 = std::max(a.k1, k);
      }
    }
  }
  const double voxel_mm3 = label.spacing[0] * label.spacing[1] * label.spacing[2];
  for (Nodule& nod : nodules) {
    const Acc& a = acc[static_cast<std::size_t>(nod.id)];
    nod.voxel_count = a.count;
    nod.volume_mm3 = static_cast<double>(a.count) * voxel_mm3;
    if (a.count == 0) continue;
    const double ci = a.sx / a.count, cj = a.sy / a.count, ck = a.sz / a.count;
    nod.centroid = label.position(ci, cj, ck);
    nod.centroid_voxel = {static_cast<int>(std::lround(ci)), static_cast<int>(std::lround(cj)),
                          static_cast<int>(std::lround(ck))};
    // Longest in-plane extent on the slice with the most voxels (a radiologist's axial diameter).
    double best = 0;
    for (int k = a.k0; k <= a.k1; ++k) {
      const std::uint8_t* s = label.slice(k);
      int xmin = label.nx, xmax = -1, ymin = label.ny, ymax = -1;
      for (int j = a.j0; j <= a.j1; ++j) {
        for (int i = a.i0; i <= a.i1; ++i) {
          if (s[static_cast<std::size_t>(j) * label.nx + i] != nod.id) continue;
          xmin = std::min(xmin, i); xmax = std::max(xmax, i); ymin = std::min(ymin, j); ymax = std::max(ymax, j);
        }
      }
      if (xmax < 0) continue;
      const double w = (xmax - xmin + 1) * label.spacing[0], h = (ymax - ymin + 1) * label.spacing[1];
      best = std::max(best, std::max(w, h));
    }
    nod.max_axial_diameter_mm = best;
  }
}

ChestCtStudy generate_chest_ct(std::uint64_t seed, const ChestCtOptions& options) {
  Rng rng(seed);
  Rng geo = rng.fork("geometry");
  ChestCtStudy study;
  const bool reduced = !options.small && options.matrix > 0 && options.matrix < 512;
  const int nxy = options.small ? 128 : reduced ? options.matrix : 512;
  const double extent = geo.uniform(280, 340);
  int nz;
  double dz;
  if (options.small) {
    nz = 64;
    dz = extent / nz;
  } else {
    const double candidates[] = {1.0, 1.25, 1.5};
    dz = candidates[geo.integer(0, 2)];
    nz = std::clamp(static_cast<int>(std::lround(extent / dz)), 200, 350);
    if (options.slices > 0) {
      // Keep the anatomy's extent: spacing follows the requested count
      // (down to 0.3 mm: a thin-slice reconstruction, e.g. 1,000 slices for
      // the memory bound of a huge series).
      nz = std::clamp(options.slices, 200, 1000);
      dz = std::clamp(extent / nz, nz <= 350 ? 1.0 : 0.3, 2.5);
    }
    if (reduced) {
      // Drawn after the full-size draws so the anatomy, patient and nodule
      // streams are those of the full-size scan of the same seed.
      dz = 2.0;
      nz = static_cast<int>(std::lround(extent / dz));
    }
  }
  Rng body = rng.fork("body");
  // Field of view follows the patient's width, as a technologist would set it.
  const double width = body.uniform(300, 370);
  double px = std::clamp((width + geo.uniform(20, 70)) / 512.0, 0.6, 0.9);
  if (options.small) px *= 4.0;
  if (reduced) px *= 512.0 / nxy;
  const double fov = px * nxy;
  study.hu = Volume<std::int16_t>(nxy, nxy, nz);
  study.hu.spacing = {px, px, dz};
  study.hu.origin = {-fov / 2 + px / 2, -fov / 2 + px / 2 + geo.uniform(-5, 5), -extent * geo.uniform(0.45, 0.55)};
  study.slice_thickness = dz;
  const double z_bottom = study.hu.origin[2], z_top = z_bottom + (nz - 1) * dz;
  // The outline's half width is capped at width / 2 inside random(), before
  // the chest wall layers and rib cage are derived from it.
  study.shape = ChestShape::random(body, z_bottom, z_top, std::min(fov / 2, width / 2 + 12));
  const ChestAnatomy anatomy(study.shape);

  Rng pat = rng.fork("patient");
  study.patient.age = pat.integer(50, 80);
  study.patient.female = pat.chance(0.45);
  Rng tube_rng = rng.fork("tubes");
  const ChestTubes tubes = grow_chest_tubes(anatomy, tube_rng);
  Rng nod_rng = rng.fork("nodules");
  const double min_d = std::max(3.0, 2.0 * std::max({px, px, dz}));
  for (int attempt = 0; attempt < 50; ++attempt) {
    Rng r = attempt == 0 ? nod_rng : nod_rng.fork("retry", static_cast<std::uint64_t>(attempt));
    study.nodules = place_nodules(anatomy, tubes.pulmonary, study.patient, min_d, r);
    if (static_cast<int>(study.nodules.size()) >= options.min_nodules) break;
  }
  study.noise_sigma = rng.fork("noise").uniform(10, 25);

  study.nodule_label = study.hu.like<std::uint8_t>();
  ChestRenderInputs in;
  in.anatomy = &anatomy;
  in.tubes = &tubes;
  in.nodules = &study.nodules;
  in.noise_sigma = study.noise_sigma;
  in.noise_seed = mix64(seed ^ 0x6e6f697365ULL);
  in.texture_seed = mix64(seed ^ 0x74657874ULL);
  in.threads = options.threads;
  render_chest(in, study.hu, &study.nodule_label);
  measure_nodules(study.nodule_label, study.nodules);
  // A nodule hidden entirely (e.g. clipped by the pleura) is not ground truth.
  // Ids stay 1..n (they are SEG segment numbers), so relabel if one was dropped.
  std::vector<std::uint8_t> remap(256, 0);
  bool dropped = false;
  int next_id = 1;
  for (Nodule& n : study.nodules) {
    if (n.voxel_count == 0) {
      dropped = true;
      continue;
    }
    remap[static_cast<std::size_t>(n.id)] = static_cast<std::uint8_t>(next_id);
    n.id = next_id++;
  }
  if (dropped) {
    std::erase_if(study.nodules, [](const Nodule& n) { return n.voxel_count == 0; });
    for (auto& v : study.nodule_label.data) v = remap[v];
  }
  return study;
}

}  // namespace medai::synth

#include "training/torch/patch_sampler.h"

#include <algorithm>
#include <cmath>

namespace medai::training::torch_nets {
namespace {

// Output offset (from the patch centre, voxels) -> source offset (voxels):
// src = A · out. Built from flips, quarter turns, rotation and scaling.
struct Affine3 {
  double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  Affine3 then(const Affine3& b) const {  // b · this
    Affine3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        r.m[i][j] = 0;
        for (int k = 0; k < 3; ++k) r.m[i][j] += b.m[i][k] * m[k][j];
      }
    return r;
  }
};

struct Draw {
  Affine3 a;
  double gain = 1, shift = 0;
};

Draw draw_transform(const Augmentation& aug, bool square_xy, bool three_d, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  Draw d;
  if (aug.flip) {
    for (int axis = 0; axis < (three_d ? 3 : 2); ++axis)
      if (u(rng) < 0.5) {
        Affine3 f;
        f.m[axis][axis] = -1;
        d.a = d.a.then(f);
      }
  }
  if (aug.rotate90 && square_xy) {
    const int quarter = static_cast<int>(u(rng) * 4) % 4;
    for (int q = 0; q < quarter; ++q) {
      Affine3 r;
      r.m[0][0] = 0;
      r.m[0][1] = -1;
      r.m[1][0] = 1;
      r.m[1][1] = 0;
      d.a = d.a.then(r);
    }
  }
  if (aug.rotate_degrees > 0) {
    const double t = (u(rng) * 2 - 1) * aug.rotate_degrees * M_PI / 180;
    Affine3 r;
    r.m[0][0] = std::cos(t);
    r.m[0][1] = -std::sin(t);
    r.m[1][0] = std::sin(t);
    r.m[1][1] = std::cos(t);
    d.a = d.a.then(r);
  }
  if (aug.scale > 0) {
    const double s = 1 + (u(rng) * 2 - 1) * aug.scale;
    Affine3 sc;
    for (int i = 0; i < 3; ++i) sc.m[i][i] = s;
    d.a = d.a.then(sc);
  }
  if (aug.intensity_scale > 0) d.gain = 1 + (u(rng) * 2 - 1) * aug.intensity_scale;
  if (aug.intensity_shift > 0) d.shift = (u(rng) * 2 - 1) * aug.intensity_shift;
  return d;
}

bool is_identity(const Affine3& a) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (a.m[i][j] != (i == j ? 1.0 : 0.0)) return false;
  return true;
}

Patch3d extract(const Case3d& c, const std::array<int, 3>& dims, const std::array<double, 3>& centre,
                const Draw& d) {
  Patch3d p;
  p.dims = dims;
  const std::size_t n = static_cast<std::size_t>(dims[0]) * dims[1] * dims[2];
  p.image.assign(n, 0.0f);
  p.label.assign(n, 0);
  const auto& img = c.image;
  const bool plain = is_identity(d.a);
  const double half[3] = {(dims[0] - 1) / 2.0, (dims[1] - 1) / 2.0, (dims[2] - 1) / 2.0};
  std::size_t o = 0;
  for (int z = 0; z < dims[2]; ++z)
    for (int y = 0; y < dims[1]; ++y)
      for (int x = 0; x < dims[0]; ++x, ++o) {
        const double q[3] = {x - half[0], y - half[1], z - half[2]};
        double s[3];
        for (int i = 0; i < 3; ++i)
          s[i] = centre[i] + d.a.m[i][0] * q[0] + d.a.m[i][1] * q[1] + d.a.m[i][2] * q[2];
        // Nearest voxel for the label (and for the plain copy).
        const int ni = static_cast<int>(std::lround(s[0])), nj = static_cast<int>(std::lround(s[1])),
                  nk = static_cast<int>(std::lround(s[2]));
        const bool inside = ni >= 0 && nj >= 0 && nk >= 0 && ni < img.nx && nj < img.ny && nk < img.nz;
        if (inside) p.label[o] = c.label.at(ni, nj, nk);
        float v = 0;
        if (plain) {
          if (inside) v = img.at(ni, nj, nk);
        } else {
          const int i0 = static_cast<int>(std::floor(s[0])), j0 = static_cast<int>(std::floor(s[1])),
                    k0 = static_cast<int>(std::floor(s[2]));
          const double fx = s[0] - i0, fy = s[1] - j0, fz = s[2] - k0;
          double acc = 0;
          for (int dk = 0; dk < 2; ++dk)
            for (int dj = 0; dj < 2; ++dj)
              for (int di = 0; di < 2; ++di) {
                const int i = i0 + di, j = j0 + dj, k = k0 + dk;
                if (i < 0 || j < 0 || k < 0 || i >= img.nx || j >= img.ny || k >= img.nz) continue;
                const double w = (di ? fx : 1 - fx) * (dj ? fy : 1 - fy) * (dk ? fz : 1 - fz);
                acc += w * img.at(i, j, k);
              }
          v = static_cast<float>(acc);
        }
        p.image[o] = static_cast<float>(v * d.gain + d.shift);
      }
  return p;
}

}  // namespace

std::mt19937_64 sample_rng(std::uint64_t seed, std::int64_t epoch, std::int64_t index) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(epoch), static_cast<std::uint32_t>(index),
                    static_cast<std::uint32_t>(index >> 32)};
  return std::mt19937_64(seq);
}

void index_foreground(Case3d& c) {
  c.foreground.clear();
  for (std::size_t i = 0; i < c.label.data.size(); ++i)
    if (c.label.data[i]) c.foreground.push_back(static_cast<std::uint32_t>(i));
}

Patch3d sample_patch(const Case3d& c, const std::array<int, 3>& dims, const Augmentation& aug,
                     double foreground_fraction, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  std::array<double, 3> centre;
  if (!c.foreground.empty() && u(rng) < foreground_fraction) {
    const std::uint32_t idx = c.foreground[static_cast<std::size_t>(u(rng) * c.foreground.size()) %
                                           c.foreground.size()];
    const int nxy = c.image.nx * c.image.ny;
    centre = {static_cast<double>(idx % c.image.nx), static_cast<double>((idx % nxy) / c.image.nx),
              static_cast<double>(idx / nxy)};
    // Jitter so the structure is not always at the patch centre.
    for (int a = 0; a < 3; ++a) centre[a] += std::round((u(rng) - 0.5) * dims[a] / 2);
  } else {
    const int n[3] = {c.image.nx, c.image.ny, c.image.nz};
    for (int a = 0; a < 3; ++a) {
      // Patch fully inside when the volume is larger, else centred.
      const double lo = std::min((dims[a] - 1) / 2.0, (n[a] - 1) / 2.0);
      const double hi = std::max(n[a] - 1 - (dims[a] - 1) / 2.0, (n[a] - 1) / 2.0);
      centre[a] = std::round(lo + u(rng) * (hi - lo));
    }
  }
  const Draw d = draw_transform(aug, dims[0] == dims[1], true, rng);
  return extract(c, dims, centre, d);
}

Patch3d crop_patch(const Case3d& c, const std::array<int, 3>& dims, const std::array<int, 3>& centre) {
  return extract(c, dims, {static_cast<double>(centre[0]), static_cast<double>(centre[1]),
                           static_cast<double>(centre[2])},
                 Draw{});
}

Patch2d sample_image(const Image2dCase& c, const std::array<int, 2>& dims, const Augmentation& aug, bool augment,
                     std::mt19937_64& rng) {
  Draw d;
  if (augment) d = draw_transform(aug, dims[0] == dims[1], false, rng);
  Patch2d p;
  p.dims = dims;
  p.label = c.label;
  p.image.assign(static_cast<std::size_t>(dims[0]) * dims[1], 0.0f);
  const auto& img = c.image;
  if (img.nx == 0 || img.ny == 0) return p;
  // Fit the whole image into the output (aspect kept): output pixel -> source scale.
  const double fit = std::max(static_cast<double>(img.nx) / dims[0], static_cast<double>(img.ny) / dims[1]);
  const double cx = (img.nx - 1) / 2.0, cy = (img.ny - 1) / 2.0;
  const double hx = (dims[0] - 1) / 2.0, hy = (dims[1] - 1) / 2.0;
  std::size_t o = 0;
  for (int y = 0; y < dims[1]; ++y)
    for (int x = 0; x < dims[0]; ++x, ++o) {
      const double qx = (x - hx) * fit, qy = (y - hy) * fit;
      const double sx = cx + d.a.m[0][0] * qx + d.a.m[0][1] * qy;
      const double sy = cy + d.a.m[1][0] * qx + d.a.m[1][1] * qy;
      p.image[o] = static_cast<float>(imaging::sample_bilinear(img, sx, sy) * d.gain + d.shift);
    }
  return p;
}

}  // namespace medai::training::torch_nets

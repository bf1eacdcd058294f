#include "evaluation/segmentation_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace medai::evaluation {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Box {
  int lo[3] = {std::numeric_limits<int>::max(), std::numeric_limits<int>::max(), std::numeric_limits<int>::max()};
  int hi[3] = {-1, -1, -1};  // inclusive
  bool empty() const { return hi[0] < 0; }
  void add(int i, int j, int k) {
    const int p[3] = {i, j, k};
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], p[a]);
      hi[a] = std::max(hi[a], p[a]);
    }
  }
  int size(int a) const { return hi[a] - lo[a] + 1; }
};

// Foreground voxels with a background 6-neighbour, or on the grid's border.
bool is_surface(const std::uint8_t* m, const std::array<int, 3>& d, int i, int j, int k) {
  if (i == 0 || j == 0 || k == 0 || i == d[0] - 1 || j == d[1] - 1 || k == d[2] - 1) return true;
  const std::size_t sx = 1, sy = static_cast<std::size_t>(d[0]), sz = sy * static_cast<std::size_t>(d[1]);
  const std::size_t c = k * sz + j * sy + i;
  return !m[c - sx] || !m[c + sx] || !m[c - sy] || !m[c + sy] || !m[c - sz] || !m[c + sz];
}

// Exact 1-D squared distance transform of samples f[0..n) at positions q·s
// (Felzenszwalb & Huttenlocher, lower envelope of parabolas); +inf samples
// are not sources.
void edt_1d(const double* f, double* out, int n, double s, std::vector<int>& v, std::vector<double>& z) {
  v.resize(n);
  z.resize(n + 1);
  int k = -1;
  for (int q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    const double xq = q * s;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -kInf;
      z[1] = kInf;
      continue;
    }
    auto meet = [&](int r) {  // where the parabolas of q and r intersect (position, mm)
      const double xr = r * s;
      return ((f[q] + xq * xq) - (f[r] + xr * xr)) / (2 * (xq - xr));
    };
    double x = meet(v[k]);
    while (x <= z[k]) x = meet(v[--k]);  // z[0] = -inf stops the walk
    ++k;
    v[k] = q;
    z[k] = x;
    z[k + 1] = kInf;
  }
  if (k < 0) {
    std::fill(out, out + n, kInf);
    return;
  }
  int j = 0;
  for (int p = 0; p < n; ++p) {
    const double xp = p * s;
    while (z[j + 1] < xp) ++j;
    const double dx = xp - v[j] * s;
    out[p] = dx * dx + f[v[j]];
  }
}

// Squared distance (mm²) from every voxel of the box to the nearest source
// (f == 0), separably along x, y and z.
void edt_3d(std::vector<double>& f, const int n[3], const std::array<double, 3>& s) {
  std::vector<double> line, res;
  std::vector<int> v;
  std::vector<double> z;
  const std::size_t stride[3] = {1, static_cast<std::size_t>(n[0]), static_cast<std::size_t>(n[0]) * n[1]};
  for (int a = 0; a < 3; ++a) {
    line.resize(n[a]);
    res.resize(n[a]);
    const int b = (a + 1) % 3, c = (a + 2) % 3;
    for (int ic = 0; ic < n[c]; ++ic)
      for (int ib = 0; ib < n[b]; ++ib) {
        const std::size_t base = ib * stride[b] + ic * stride[c];
        for (int t = 0; t < n[a]; ++t) line[t] = f[base + t * stride[a]];
        edt_1d(line.data(), res.data(), n[a], s[a], v, z);
        for (int t = 0; t < n[a]; ++t) f[base + t * stride[a]] = res[t];
      }
  }
}

// Distances (mm) from each surface voxel of `from` to the nearest surface
// voxel of `to`, computed on the box that holds both surfaces.
void directed_surface_distances(const std::vector<std::array<int, 3>>& from, const std::vector<std::array<int, 3>>& to,
                                const Box& box, const std::array<double, 3>& spacing, std::vector<double>& out) {
  const int n[3] = {box.size(0), box.size(1), box.size(2)};
  std::vector<double> f(static_cast<std::size_t>(n[0]) * n[1] * n[2], kInf);
  auto at = [&](const std::array<int, 3>& p) {
    return (static_cast<std::size_t>(p[2] - box.lo[2]) * n[1] + (p[1] - box.lo[1])) * n[0] + (p[0] - box.lo[0]);
  };
  for (const auto& p : to) f[at(p)] = 0;
  edt_3d(f, n, spacing);
  for (const auto& p : from) out.push_back(std::sqrt(f[at(p)]));
}

}  // namespace

double dice_coefficient(const std::uint8_t* predicted, const std::uint8_t* reference, std::size_t count) {
  std::size_t p = 0, r = 0, both = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const bool a = predicted[i] != 0, b = reference[i] != 0;
    p += a;
    r += b;
    both += a && b;
  }
  if (p + r == 0) return 1.0;
  return 2.0 * static_cast<double>(both) / static_cast<double>(p + r);
}

SegmentationScore score_segmentation(const std::uint8_t* predicted, const std::uint8_t* reference,
                                     const std::array<int, 3>& d, const std::array<double, 3>& spacing) {
  SegmentationScore out;
  const std::size_t count = static_cast<std::size_t>(d[0]) * d[1] * d[2];
  out.dice = dice_coefficient(predicted, reference, count);
  std::vector<std::array<int, 3>> surf_p, surf_r;
  Box box;
  std::size_t np = 0, nr = 0;
  std::size_t idx = 0;
  for (int k = 0; k < d[2]; ++k)
    for (int j = 0; j < d[1]; ++j)
      for (int i = 0; i < d[0]; ++i, ++idx) {
        if (predicted[idx]) {
          ++np;
          if (is_surface(predicted, d, i, j, k)) {
            surf_p.push_back({i, j, k});
            box.add(i, j, k);
          }
        }
        if (reference[idx]) {
          ++nr;
          if (is_surface(reference, d, i, j, k)) {
            surf_r.push_back({i, j, k});
            box.add(i, j, k);
          }
        }
      }
  const double voxel_ml = spacing[0] * spacing[1] * spacing[2] / 1000.0;
  out.predicted_ml = static_cast<double>(np) * voxel_ml;
  out.reference_ml = static_cast<double>(nr) * voxel_ml;
  out.volume_error_ml = out.predicted_ml - out.reference_ml;
  if (nr > 0) out.relative_volume_error = out.volume_error_ml / out.reference_ml;
  if (np > 0 && nr > 0) {
    std::vector<double> distances;
    distances.reserve(surf_p.size() + surf_r.size());
    directed_surface_distances(surf_p, surf_r, box, spacing, distances);
    directed_surface_distances(surf_r, surf_p, box, spacing, distances);
    out.hd95_mm = percentile(std::move(distances), 95.0);
  }
  return out;
}

Result<SegmentationScore> score_segmentation(const imaging::Volume<std::uint8_t>& predicted,
                                             const imaging::Volume<std::uint8_t>& reference) {
  if (!predicted.same_grid(reference) || predicted.data.size() != reference.data.size())
    return make_error(ErrorCode::invalid_argument, "predicted and reference masks are not on the same grid",
                      {{"predicted", {predicted.nx, predicted.ny, predicted.nz}},
                       {"reference", {reference.nx, reference.ny, reference.nz}}});
  return score_segmentation(predicted.data.data(), reference.data.data(), {predicted.nx, predicted.ny, predicted.nz},
                            predicted.spacing);
}

nlohmann::json to_json(const SegmentationScore& s) {
  nlohmann::json j{{"dice", s.dice},
                   {"hd95_mm", nullptr},
                   {"predicted_ml", s.predicted_ml},
                   {"reference_ml", s.reference_ml},
                   {"volume_error_ml", s.volume_error_ml},
                   {"relative_volume_error", nullptr}};
  if (s.hd95_mm) j["hd95_mm"] = *s.hd95_mm;
  if (s.relative_volume_error) j["relative_volume_error"] = *s.relative_volume_error;
  return j;
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return values[lo] + (values[hi] - values[lo]) * frac;
}

nlohmann::json distribution(const std::vector<double>& values) {
  if (values.empty()) return {{"n", 0}};
  const double n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double var = 0;
  for (double v : values) var += (v - mean) * (v - mean);
  return {{"n", values.size()},
          {"mean", mean},
          {"std", std::sqrt(var / n)},
          {"min", *std::min_element(values.begin(), values.end())},
          {"q1", percentile(values, 25)},
          {"median", percentile(values, 50)},
          {"q3", percentile(values, 75)},
          {"max", *std::max_element(values.begin(), values.end())}};
}

nlohmann::json summarise_segmentation(const std::vector<StructureScore>& scores) {
  struct Acc {
    std::vector<double> dice, hd95, vol, rel;
    int hd95_undefined = 0;
  };
  std::map<std::string, Acc> by;
  for (const auto& s : scores) {
    auto& a = by[s.structure];
    a.dice.push_back(s.score.dice);
    if (s.score.hd95_mm) a.hd95.push_back(*s.score.hd95_mm);
    else ++a.hd95_undefined;
    a.vol.push_back(s.score.volume_error_ml);
    if (s.score.relative_volume_error) a.rel.push_back(*s.score.relative_volume_error);
  }
  nlohmann::json structures = nlohmann::json::object();
  double dice_sum = 0;
  for (const auto& [name, a] : by) {
    structures[name] = {{"n", a.dice.size()},
                        {"dice", distribution(a.dice)},
                        {"hd95_mm", distribution(a.hd95)},
                        {"hd95_undefined", a.hd95_undefined},
                        {"volume_error_ml", distribution(a.vol)},
                        {"relative_volume_error", distribution(a.rel)}};
    dice_sum += std::accumulate(a.dice.begin(), a.dice.end(), 0.0) / static_cast<double>(a.dice.size());
  }
  nlohmann::json out{{"structures", structures}, {"mean_dice", nullptr}};
  if (!by.empty()) out["mean_dice"] = dice_sum / static_cast<double>(by.size());
  return out;
}

}  // namespace medai::evaluation

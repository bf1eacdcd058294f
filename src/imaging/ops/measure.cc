#include "imaging/ops/measure.h"

#include <algorithm>
#include <cmath>

#include "imaging/contours.h"

namespace medai::imaging {
namespace {

struct P {
  double x, y;  // mm
};

double cross(const P& o, const P& a, const P& b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

// Andrew's monotone chain; counter-clockwise, no repeated points.
std::vector<P> convex_hull(std::vector<P> pts) {
  std::sort(pts.begin(), pts.end(), [](const P& a, const P& b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
  pts.erase(std::unique(pts.begin(), pts.end(), [](const P& a, const P& b) { return a.x == b.x && a.y == b.y; }),
            pts.end());
  if (pts.size() < 3) return pts;
  std::vector<P> h(2 * pts.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  h.resize(k - 1);
  return h;
}

}  // namespace

std::vector<std::array<double, 2>> convex_hull_2d(const std::vector<std::array<double, 2>>& points) {
  std::vector<P> pts;
  pts.reserve(points.size());
  for (const auto& p : points) pts.push_back({p[0], p[1]});
  std::vector<std::array<double, 2>> out;
  for (const P& p : convex_hull(std::move(pts))) out.push_back({p.x, p.y});
  return out;
}

AxisPair measure_axes(const std::uint8_t* mask, int nx, int ny, double sx, double sy) {
  AxisPair out;
  std::vector<P> pts;
  for (const Polygon& poly : trace_contours(mask, nx, ny))
    for (const Point2& p : poly) pts.push_back({p.x * sx, p.y * sy});
  const std::vector<P> hull = convex_hull(pts);
  if (hull.size() < 2) return out;
  // Longest chord of a convex polygon: between two of its vertices.
  std::size_t a = 0, b = 1;
  double best = -1;
  for (std::size_t i = 0; i < hull.size(); ++i)
    for (std::size_t j = i + 1; j < hull.size(); ++j) {
      const double d = (hull[i].x - hull[j].x) * (hull[i].x - hull[j].x) + (hull[i].y - hull[j].y) * (hull[i].y - hull[j].y);
      if (d > best) best = d, a = i, b = j;
    }
  out.long_mm = std::sqrt(best);
  out.long_ends = {{{hull[a].x / sx, hull[a].y / sy}, {hull[b].x / sx, hull[b].y / sy}}};
  if (hull.size() < 3 || out.long_mm <= 0) return out;
  // Longest chord perpendicular to the long axis: the chord through each
  // vertex along the perpendicular direction w (its length is piecewise
  // linear in the position along the axis, so a vertex attains the maximum).
  const P u{(hull[b].x - hull[a].x) / out.long_mm, (hull[b].y - hull[a].y) / out.long_mm};
  const P w{-u.y, u.x};
  for (const P& v : hull) {
    const double t = (v.x - hull[a].x) * u.x + (v.y - hull[a].y) * u.y;
    double lo = 1e300, hi = -1e300;
    for (std::size_t e = 0; e < hull.size(); ++e) {
      const P& p = hull[e];
      const P& q = hull[(e + 1) % hull.size()];
      const double tp = (p.x - hull[a].x) * u.x + (p.y - hull[a].y) * u.y;
      const double tq = (q.x - hull[a].x) * u.x + (q.y - hull[a].y) * u.y;
      if ((tp - t) * (tq - t) > 0 || tp == tq) continue;
      const double f = (t - tp) / (tq - tp);
      const P x{p.x + f * (q.x - p.x), p.y + f * (q.y - p.y)};
      const double s = (x.x - hull[a].x) * w.x + (x.y - hull[a].y) * w.y;
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
    if (hi > lo && hi - lo > out.short_mm) {
      out.short_mm = hi - lo;
      const P base{hull[a].x + t * u.x, hull[a].y + t * u.y};
      out.short_ends = {{{(base.x + lo * w.x) / sx, (base.y + lo * w.y) / sy},
                         {(base.x + hi * w.x) / sx, (base.y + hi * w.y) / sy}}};
    }
  }
  return out;
}

std::vector<Measurement> measure(const Components& components, const Volume<float>* intensity) {
  const Volume<std::int32_t>& lab = components.labels;
  const bool same_grid = intensity != nullptr && lab.same_grid(*intensity);
  std::vector<Measurement> out;
  for (const ComponentStats& s : components.stats) {
    Measurement m;
    m.id = s.id;
    m.voxels = s.voxels;
    m.volume_mm3 = s.volume_mm3;
    m.centroid = s.centroid;
    // A one-voxel border so the outline closes inside the cut-out.
    const int x0 = s.box.min[0] - 1, y0 = s.box.min[1] - 1;
    const int w = s.box.max[0] - s.box.min[0] + 3, h = s.box.max[1] - s.box.min[1] + 3;
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(w) * h);
    double sum = 0;
    std::int64_t sampled = 0;
    for (int k = s.box.min[2]; k <= s.box.max[2]; ++k) {
      std::fill(mask.begin(), mask.end(), 0);
      bool any = false;
      for (int j = s.box.min[1]; j <= s.box.max[1]; ++j)
        for (int i = s.box.min[0]; i <= s.box.max[0]; ++i) {
          if (lab.at(i, j, k) != s.id) continue;
          mask[static_cast<std::size_t>(j - y0) * w + (i - x0)] = 1;
          any = true;
          if (intensity) {
            const Vec3 v = same_grid ? Vec3{double(i), double(j), double(k)}
                                                     : intensity->voxel(lab.position(i, j, k));
            const long a = std::lround(v.x), b = std::lround(v.y), c = std::lround(v.z);
            if (a >= 0 && b >= 0 && c >= 0 && a < intensity->nx && b < intensity->ny && c < intensity->nz) {
              sum += intensity->at(static_cast<int>(a), static_cast<int>(b), static_cast<int>(c));
              ++sampled;
            }
          }
        }
      if (!any) continue;
      const AxisPair ax = measure_axes(mask.data(), w, h, lab.spacing[0], lab.spacing[1]);
      if (ax.long_mm > m.long_axis_mm) {
        m.long_axis_mm = ax.long_mm;
        m.short_axis_mm = ax.short_mm;
        m.slice = k;
        for (int e = 0; e < 2; ++e) {
          m.long_axis_ends[e] = lab.position(ax.long_ends[e][0] + x0, ax.long_ends[e][1] + y0, k);
          m.short_axis_ends[e] = lab.position(ax.short_ends[e][0] + x0, ax.short_ends[e][1] + y0, k);
        }
      }
    }
    if (sampled > 0) m.mean_intensity = sum / static_cast<double>(sampled);
    out.push_back(m);
  }
  return out;
}

}  // namespace medai::imaging

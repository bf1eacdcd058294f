#include "imaging/contours.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace medai::imaging {
namespace {

struct Links {
  std::int64_t a = -1, b = -1;
  void add(std::int64_t v) { (a < 0 ? a : b) = v; }
};

}  // namespace

std::vector<Polygon> trace_contours(const std::uint8_t* mask, int nx, int ny) {
  auto at = [&](int i, int j) -> bool { return i >= 0 && j >= 0 && i < nx && j < ny && mask[static_cast<std::size_t>(j) * nx + i]; };
  const std::int64_t stride = nx + 2;
  // Edge ids: horizontal edge (i,j)-(i+1,j) -> even, vertical (i,j)-(i,j+1) -> odd.
  auto h_id = [&](int i, int j) { return ((static_cast<std::int64_t>(j) + 1) * stride + (i + 1)) * 2; };
  auto v_id = [&](int i, int j) { return ((static_cast<std::int64_t>(j) + 1) * stride + (i + 1)) * 2 + 1; };
  std::unordered_map<std::int64_t, Links> graph;
  auto link = [&](std::int64_t e1, std::int64_t e2) {
    graph[e1].add(e2);
    graph[e2].add(e1);
  };
  for (int j = -1; j < ny; ++j) {
    for (int i = -1; i < nx; ++i) {
      const bool a = at(i, j), b = at(i + 1, j), c = at(i + 1, j + 1), d = at(i, j + 1);
      const int n = a + b + c + d;
      if (n == 0 || n == 4) continue;
      const std::int64_t top = h_id(i, j), right = v_id(i + 1, j), bottom = h_id(i, j + 1), left = v_id(i, j);
      if (n == 2 && a == c) {
        // Saddle: each set corner is cut off on its own.
        if (a) {
          link(top, left);
          link(right, bottom);
        } else {
          link(top, right);
          link(bottom, left);
        }
        continue;
      }
      std::int64_t cross[2];
      int k = 0;
      if (a != b) cross[k++] = top;
      if (b != c) cross[k++] = right;
      if (d != c) cross[k++] = bottom;
      if (a != d) cross[k++] = left;
      if (k == 2) link(cross[0], cross[1]);
    }
  }
  auto point = [&](std::int64_t id) {
    const std::int64_t cell = id / 2;
    const double i = static_cast<double>(cell % stride) - 1, j = static_cast<double>(cell / stride) - 1;
    return (id % 2 == 0) ? Point2{i + 0.5, j} : Point2{i, j + 0.5};
  };
  // Walk loops in a deterministic order (smallest edge id first).
  std::vector<std::int64_t> starts;
  starts.reserve(graph.size());
  for (const auto& [id, _] : graph) starts.push_back(id);
  std::sort(starts.begin(), starts.end());
  std::unordered_map<std::int64_t, bool> seen;
  std::vector<Polygon> loops;
  for (std::int64_t s : starts) {
    if (seen[s]) continue;
    Polygon poly;
    std::int64_t prev = -1, cur = s;
    while (cur >= 0 && !seen[cur]) {
      seen[cur] = true;
      poly.push_back(point(cur));
      const Links& l = graph[cur];
      const std::int64_t next = (l.a != prev && !seen[l.a]) ? l.a : ((!seen[l.b]) ? l.b : -1);
      prev = cur;
      cur = next;
    }
    // Drop collinear points (straight runs along the pixel grid).
    Polygon simple;
    const std::size_t n = poly.size();
    for (std::size_t k = 0; k < n; ++k) {
      const Point2& p0 = poly[(k + n - 1) % n];
      const Point2& p1 = poly[k];
      const Point2& p2 = poly[(k + 1) % n];
      const double cross = (p1.x - p0.x) * (p2.y - p1.y) - (p1.y - p0.y) * (p2.x - p1.x);
      if (std::fabs(cross) > 1e-12) simple.push_back(p1);
    }
    if (simple.size() >= 3) loops.push_back(std::move(simple));
  }
  return loops;
}

bool inside_even_odd(const std::vector<Polygon>& loops, double x, double y) {
  bool in = false;
  for (const Polygon& p : loops) {
    const std::size_t n = p.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      if ((p[i].y > y) != (p[j].y > y) && x < (p[j].x - p[i].x) * (y - p[i].y) / (p[j].y - p[i].y) + p[i].x) in = !in;
    }
  }
  return in;
}

}  // namespace medai::imaging

#include "imaging/ops/contours_op.h"

#include <algorithm>
#include <map>

#include "imaging/contours.h"

namespace medai::imaging {
namespace {

template <typename T>
std::vector<SliceContours> extract(const Volume<T>& labels, const std::vector<int>& only) {
  std::map<int, std::vector<SliceContours>> by_label;
  const std::size_t plane = static_cast<std::size_t>(labels.nx) * labels.ny;
  std::vector<std::uint8_t> mask(plane);
  for (int k = 0; k < labels.nz; ++k) {
    const T* s = labels.slice(k);
    std::vector<int> present;
    for (std::size_t n = 0; n < plane; ++n)
      if (s[n] && std::find(present.begin(), present.end(), static_cast<int>(s[n])) == present.end())
        present.push_back(static_cast<int>(s[n]));
    for (int label : present) {
      if (!only.empty() && std::find(only.begin(), only.end(), label) == only.end()) continue;
      for (std::size_t n = 0; n < plane; ++n) mask[n] = static_cast<int>(s[n]) == label;
      SliceContours sc;
      sc.k = k;
      sc.label = label;
      for (const Polygon& poly : trace_contours(mask.data(), labels.nx, labels.ny)) {
        std::vector<Vec3> loop;
        loop.reserve(poly.size());
        for (const Point2& p : poly) loop.push_back(labels.position(p.x, p.y, k));
        sc.loops.push_back(std::move(loop));
      }
      by_label[label].push_back(std::move(sc));
    }
  }
  std::vector<SliceContours> out;
  for (auto& [label, list] : by_label)
    for (auto& sc : list) out.push_back(std::move(sc));
  return out;
}

}  // namespace

std::vector<SliceContours> extract_contours(const Volume<std::uint8_t>& labels, const std::vector<int>& only) {
  return extract(labels, only);
}
std::vector<SliceContours> extract_contours(const Volume<std::int32_t>& labels, const std::vector<int>& only) {
  return extract(labels, only);
}

}  // namespace medai::imaging

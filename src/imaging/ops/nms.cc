#include "imaging/ops/nms.h"

#include <algorithm>
#include <cmath>

namespace medai::imaging {

double sphere_iou(const Detection& a, const Detection& b) {
  const double r1 = a.radius_mm, r2 = b.radius_mm;
  const double d = std::sqrt((a.centre - b.centre).norm2());
  const double v1 = 4.0 / 3.0 * M_PI * r1 * r1 * r1, v2 = 4.0 / 3.0 * M_PI * r2 * r2 * r2;
  double inter;
  if (d >= r1 + r2) {
    inter = 0;
  } else if (d <= std::fabs(r1 - r2)) {
    inter = std::min(v1, v2);  // one inside the other
  } else {
    // Volume of the lens of two intersecting spheres.
    inter = M_PI * (r1 + r2 - d) * (r1 + r2 - d) *
            (d * d + 2 * d * r2 - 3 * r2 * r2 + 2 * d * r1 + 6 * r1 * r2 - 3 * r1 * r1) / (12 * d);
  }
  const double uni = v1 + v2 - inter;
  return uni > 0 ? inter / uni : 0;
}

double box_iou(const Detection& a, const Detection& b) {
  auto overlap = [](double ca, double ha, double cb, double hb) {
    return std::max(0.0, std::min(ca + ha, cb + hb) - std::max(ca - ha, cb - hb));
  };
  const double inter = overlap(a.centre.x, a.half_size.x, b.centre.x, b.half_size.x) *
                       overlap(a.centre.y, a.half_size.y, b.centre.y, b.half_size.y) *
                       overlap(a.centre.z, a.half_size.z, b.centre.z, b.half_size.z);
  const double va = 8 * a.half_size.x * a.half_size.y * a.half_size.z;
  const double vb = 8 * b.half_size.x * b.half_size.y * b.half_size.z;
  const double uni = va + vb - inter;
  return uni > 0 ? inter / uni : 0;
}

std::vector<Detection> nms(std::vector<Detection> detections, const NmsOptions& o) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const Detection& d : detections) {
    if (d.score < o.min_score) break;
    if (o.max > 0 && static_cast<int>(kept.size()) >= o.max) break;
    bool suppressed = false;
    for (const Detection& k : kept) {
      if (o.criterion == NmsCriterion::distance) {
        suppressed = (d.centre - k.centre).norm2() < o.distance_mm * o.distance_mm;
      } else {
        suppressed = (o.shape == NmsShape::sphere ? sphere_iou(d, k) : box_iou(d, k)) > o.iou;
      }
      if (suppressed) break;
    }
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

}  // namespace medai::imaging

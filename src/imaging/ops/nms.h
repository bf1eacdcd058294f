#pragma once
// nms: non-maximum suppression of 3-D detections in patient coordinates.
// Candidates are taken in decreasing score order (ties: input order); one is
// kept unless it overlaps an already kept one:
//   iou       overlap = intersection over union of the two spheres (exact
//             sphere-sphere lens volume) or of the two axis-aligned boxes,
//             suppressed when overlap > `iou`;
//   distance  suppressed when the centres are closer than `distance_mm`.
// At most `max` detections are kept (0 = no limit); below `min_score` none.
#include <vector>

#include "imaging/volume.h"

namespace medai::imaging {

struct Detection {
  Vec3 centre;                // patient coordinates (mm)
  double radius_mm = 0;       // spheres
  Vec3 half_size;             // boxes: half extent per patient axis (mm)
  double score = 0;
  int source = -1;            // caller's index (e.g. component id), carried through
};

enum class NmsShape { sphere, box };
enum class NmsCriterion { iou, distance };

struct NmsOptions {
  NmsShape shape = NmsShape::sphere;
  NmsCriterion criterion = NmsCriterion::iou;
  double iou = 0.1;
  double distance_mm = 0;
  int max = 0;
  double min_score = -1e300;
};

double sphere_iou(const Detection& a, const Detection& b);
double box_iou(const Detection& a, const Detection& b);

std::vector<Detection> nms(std::vector<Detection> detections, const NmsOptions& options);

}  // namespace medai::imaging

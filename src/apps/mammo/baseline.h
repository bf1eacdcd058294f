#pragma once
// The non-learned baseline every evaluation report carries: maximum local
// contrast. Per view, on a 0.4 mm grid: difference of Gaussians (σ 0.4 mm
// minus σ 2.4 mm local means taken over breast pixels only, i.e. a bright
// spot or blob against its surroundings) of the presentation values, maximum
// over the breast (pixels brighter than the background, 1.5 mm in from the
// skin line). Exam = maximum over its views.
// Dense fibroglandular tissue is the confounder: it has edges as contrasty
// as any lesion.
#include "imaging/image2d.h"

namespace medai::apps::mammo {

// `presentation` in [0, 1] (imaging::load_projection_image), `pixel_mm` its
// pixel spacing. 0 when the image has no breast pixels.
double max_local_contrast(const imaging::Image2D<float>& presentation, double pixel_mm);

}  // namespace medai::apps::mammo

#pragma once
// window: intensity window centre/width → [0,1] (the model input
// convention): v' = clamp((v - (centre - width/2)) / width, 0, 1). Values at
// or below the lower edge become 0, at or above the upper edge 1. This is
// the continuous form, not DICOM's display formula with its -0.5/-1
// offsets. width must be > 0 (checked by the pipeline schema).
#include "imaging/volume.h"

namespace medai::imaging {

void apply_window(Volume<float>& volume, double centre, double width);

}  // namespace medai::imaging

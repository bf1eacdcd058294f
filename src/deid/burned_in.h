#pragma once
// Burned-in annotation: PS3.15 does not clean pixels, so we tell the caller
// when an image may show identifying text (or a face) in its pixels.
#include "deid/deidentifier.h"

class DcmItem;

namespace medai::deid {

// Sets report.burned_in and adds the warnings "burned_in_annotation",
// "burned_in_annotation_unknown", "recognizable_visual_features".
void check_burned_in(DcmItem& dataset, DeidReport& report);

}  // namespace medai::deid

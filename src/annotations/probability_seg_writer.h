#pragma once
// Probability maps on projection images (e.g. a mammography model's heat-map
// per view) as one DICOM Segmentation: Segmentation Type FRACTIONAL,
// Segmentation Fractional Type PROBABILITY, Maximum Fractional Value 255.
//
// One segment per source image (the map of that image: a view's likelihood
// of malignancy is not the same finding as another view's), one frame per
// segment, the frame derived from its image (Derivation Image functional
// group, Source Image purpose 121322) and indexed by its segment number.
// Projection images have no patient frame of reference, so neither has the
// SEG: no Plane Position / Orientation; pixel spacing is shared. Every
// image's map must have the same rows and columns (one SEG per image size:
// the caller groups). Patient/study attributes come from `source`; the SEG is
// a new series in the source study. Any viewer that reads fractional SEG can
// show it as a heat-map; our SEG reader thresholds it at half the maximum.
#include <cstdint>
#include <string>
#include <vector>

#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/seg_writer.h"
#include "annotations/source_series.h"

namespace medai::annotations {

struct ProbabilityFrame {
  std::string sop_instance_uid;  // the source image
  int nx = 0, ny = 0;            // columns, rows (the source image's)
  double pixel_spacing_mm = 0;   // 0: not written (unknown)
  std::vector<std::uint8_t> values;  // [ny][nx], 0..255 = probability 0..1
  SegmentSpec segment;           // name, description, codes, colour, tracking id (label/bits unused)
};

// invalid_argument when there is no frame, sizes differ, or a frame's values
// do not fill its grid.
Result<DicomObject> write_probability_seg(const std::vector<ProbabilityFrame>& frames, const SourceSeries& source,
                                          const Producer& producer, const OutputSeries& output,
                                          const SegOptions& options = {});

}  // namespace medai::annotations

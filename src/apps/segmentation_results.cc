// Results of volume apps with task "segmentation". Until the structure-
// per-label builder lands (issue #7, radiotherapy contouring), a
// segmentation app's output is reported like a detection's: one finding per
// connected component of the post-processed labels.
#include "apps/app_result_builders.h"

namespace medai::apps {

Status build_segmentation_results(VolumeRun& run, const ResultContext& ctx, AppRunOutput& out) {
  return build_detection_results(run, ctx, out);
}

}  // namespace medai::apps

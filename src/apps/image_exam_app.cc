// 2-D exam apps (input.kind "image", e.g. a 4-view screening mammogram).
// Not available yet (issue #7, mammography screening): refused with
// not_implemented so app.run fails with a clear reason.
#include "apps/app_result_builders.h"

namespace medai::apps {

Result<AppRunOutput> run_image_exam_app(const std::vector<std::filesystem::path>& files,
                                        runtime::ModelRuntime& model, const ResultContext& ctx) {
  (void)files;
  (void)model;
  (void)ctx;
  return make_error(ErrorCode::not_implemented, "apps with 2-D image input (input.kind \"image\") cannot run yet");
}

}  // namespace medai::apps

#include "apps/mammo/exam_views.h"

#include <algorithm>
#include <map>

namespace medai::apps::mammo {

std::string normalise_view_position(const std::string& vp) {
  // The exaggerated CC is scored as a CC; a 90° lateral (ML/LM) is not the
  // screening MLO and is not scored (the model never saw one).
  if (vp == "CC" || vp == "XCCL" || vp == "XCCM") return "CC";
  if (vp == "MLO") return "MLO";
  return "";
}

Result<ExamViews> collect_exam_views(const std::vector<imaging::ProjectionImage>& images) {
  ExamViews out;
  std::map<std::string, ExamView> found;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto& im = images[i];
    auto aside = [&](const std::string& reason) { out.set_aside.push_back({{"index", i}, {"reason", reason}}); };
    if (im.modality != "MG") {
      aside("modality " + (im.modality.empty() ? std::string("missing") : im.modality) + " is not MG");
      continue;
    }
    if (im.laterality != "L" && im.laterality != "R") {
      aside("no single-breast laterality (Image Laterality L or R)");
      continue;
    }
    const std::string view = normalise_view_position(im.view_position);
    if (view.empty()) {
      aside("view position " + (im.view_position.empty() ? std::string("missing") : im.view_position) +
            " is not CC or MLO");
      continue;
    }
    if (im.presentation_intent == "FOR PROCESSING") {
      aside("a For Processing image (the model reads For Presentation images)");
      continue;
    }
    const std::string name = im.laterality + view;
    if (found.count(name)) {
      aside("a second " + name + " image (the first one is scored)");
      continue;
    }
    found[name] = {name, im.laterality, view, i};
  }
  for (const auto& name : standard_views()) {
    if (auto it = found.find(name); it != found.end()) out.views.push_back(it->second);
    else out.missing.push_back(name);
  }
  if (out.views.empty())
    return make_error(ErrorCode::unprocessable, "the series has no mammography view this app can score",
                      {{"reason", "no_mammography_views"}, {"set_aside", out.set_aside}});
  return out;
}

}  // namespace medai::apps::mammo

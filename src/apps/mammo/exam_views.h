#pragma once
// The views of one screening mammogram: which of RCC, LCC, RMLO, LMLO the
// series holds, which are missing, and which images were set aside (and
// why). Pure logic on already loaded images; no DICOM, no model.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "imaging/series_volume.h"

namespace medai::apps::mammo {

// The four standard screening views, in reading order.
inline const std::vector<std::string>& standard_views() {
  static const std::vector<std::string> v{"RCC", "LCC", "RMLO", "LMLO"};
  return v;
}

struct ExamView {
  std::string name;        // "RCC", "LMLO", ... (laterality + view position)
  std::string laterality;  // "R" | "L"
  std::string view;        // "CC" | "MLO" (ML, LM, XCCL, ... are mapped, see .cc)
  std::size_t source = 0;  // index of the image in the input list
};

struct ExamViews {
  std::vector<ExamView> views;         // standard order, one per view name
  std::vector<std::string> missing;    // standard views not present
  nlohmann::json set_aside = nlohmann::json::array();  // [{index, reason}] images not scored
  bool complete() const { return missing.empty(); }
};

// Groups the images by laterality and view position. Images that are not MG
// (e.g. a DX scout mixed in), have no laterality ("B" or none), or repeat a
// view already taken (the first in input order is kept) are set aside with
// a reason. No scorable view at all: unprocessable (detail.reason
// "no_mammography_views", detail.set_aside).
Result<ExamViews> collect_exam_views(const std::vector<imaging::ProjectionImage>& images);

// "CC" / "MLO" for View Position values; "" for views this app does not
// score (magnification, spot compression keep their own names).
std::string normalise_view_position(const std::string& view_position);

}  // namespace medai::apps::mammo

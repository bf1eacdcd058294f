#include "apps/rt/plan_scoring.h"

#include <algorithm>
#include <cmath>

#include "annotations/rtstruct_reader.h"
#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "core/files.h"

namespace medai::apps::rt {
namespace fs = std::filesystem;


std::vector<fs::path> ct_files_of(const fs::path& study_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  const fs::path ct = study_dir / "ct";
  const fs::path dir = fs::is_directory(ct, ec) ? ct : study_dir;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".dcm") continue;
    const std::string name = e.path().filename().string();
    if (name == "seg.dcm" || name == "rtstruct.dcm") continue;
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<ReferencePlan> load_reference_plan(const fs::path& study_dir) {
  return load_reference_plan(study_dir, ct_files_of(study_dir));
}

Result<ReferencePlan> load_reference_plan(const fs::path& study_dir, std::vector<fs::path> ct_files) {
  std::error_code ec;
  const fs::path seg = study_dir / "seg.dcm", rtstruct = study_dir / "rtstruct.dcm";
  return load_reference_plan(study_dir.filename().string(), std::move(ct_files),
                             fs::exists(seg, ec) ? seg : fs::path(), fs::exists(rtstruct, ec) ? rtstruct : fs::path());
}

Result<ReferencePlan> load_reference_plan(std::string case_id, std::vector<fs::path> ct_files, const fs::path& seg_file,
                                          const fs::path& rtstruct_file) {
  ReferencePlan plan;
  plan.case_id = std::move(case_id);
  plan.ct_files = std::move(ct_files);
  if (plan.ct_files.empty())
    return make_error(ErrorCode::invalid_argument, "the study has no CT images", {{"folder", plan.case_id}});
  MEDAI_ASSIGN_OR_RETURN(annotations::SourceSeries source, annotations::source_series_from_files(plan.ct_files));
  if (!seg_file.empty()) {
    MEDAI_ASSIGN_OR_RETURN(std::string bytes, read_file(seg_file));
    MEDAI_ASSIGN_OR_RETURN(annotations::SegLabels seg, annotations::read_seg(bytes, source));
    for (std::size_t i = 0; i < seg.segments.size(); ++i)
      plan.structures[seg.segments[i].label] = std::move(seg.masks[i]);
  } else if (!rtstruct_file.empty()) {
    MEDAI_ASSIGN_OR_RETURN(std::string bytes, read_file(rtstruct_file));
    MEDAI_ASSIGN_OR_RETURN(annotations::RtStructContents rs, annotations::parse_rtstruct(bytes));
    MEDAI_ASSIGN_OR_RETURN(annotations::RtMasks masks, annotations::rasterise_rtstruct(rs, source));
    for (std::size_t i = 0; i < rs.rois.size(); ++i) plan.structures[rs.rois[i].name] = std::move(masks.masks[i]);
  } else {
    return make_error(ErrorCode::invalid_argument, "the study has no reference SEG or RTSTRUCT",
                      {{"folder", plan.case_id}});
  }
  return plan;
}

Result<std::vector<evaluation::StructureScore>> score_plan(
    const ReferencePlan& reference, const std::map<std::string, imaging::Volume<std::uint8_t>>& predicted) {
  std::vector<evaluation::StructureScore> out;
  for (const auto& [name, ref] : reference.structures) {
    const auto it = predicted.find(name);
    const std::vector<std::uint8_t> empty(it == predicted.end() ? ref.data.size() : 0, 0);
    const std::uint8_t* p = it == predicted.end() ? empty.data() : it->second.data.data();
    // Same voxel grid required; origins may differ by the rounding of two
    // readers of the same headers, so sizes and spacings are what is checked.
    if (it != predicted.end()) {
      const auto& m = it->second;
      bool same = m.nx == ref.nx && m.ny == ref.ny && m.nz == ref.nz;
      for (int a = 0; a < 3 && same; ++a)
        same = std::abs(m.spacing[a] - ref.spacing[a]) < 1e-3 && std::abs(m.origin[a] - ref.origin[a]) < 1e-2;
      if (!same)
        return make_error(ErrorCode::invalid_argument, "a predicted structure is not on the CT's grid",
                          {{"structure", name}, {"case", reference.case_id}});
    }
    out.push_back({reference.case_id, name,
                   evaluation::score_segmentation(p, ref.data.data(), {ref.nx, ref.ny, ref.nz}, ref.spacing)});
  }
  return out;
}

}  // namespace medai::apps::rt

#pragma once
// Reference structures of a generated planning study and per-structure scores
// of a contour set against them (Dice, HD95, volumes — evaluation's
// segmentation metrics), the part of the auto-contouring evaluation that needs
// neither a model nor a server.
//
// A study folder is what `medai synth rt --out DIR` writes: ct/*.dcm,
// seg.dcm (one segment per structure), rtstruct.dcm, ground_truth.json. The
// reference masks are read from the SEG (exact voxel masks on the CT grid);
// when it is missing, the RTSTRUCT is rasterised instead.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "evaluation/segmentation_metrics.h"
#include "imaging/series_volume.h"
#include "imaging/volume.h"

namespace medai::apps::rt {

struct ReferencePlan {
  std::string case_id;  // the study folder's name
  std::vector<std::filesystem::path> ct_files;
  std::map<std::string, imaging::Volume<std::uint8_t>> structures;  // name → 0/1 mask on the CT grid
};

// invalid_argument (detail.folder = the folder's name) when the folder has no
// CT or no reference object; reader errors pass through.
Result<ReferencePlan> load_reference_plan(const std::filesystem::path& study_dir);
// The same with the CT files already listed (e.g. sorted by SOP class).
Result<ReferencePlan> load_reference_plan(const std::filesystem::path& study_dir,
                                          std::vector<std::filesystem::path> ct_files);

// The same from files anywhere (a stored dataset's series): the SEG when
// given, else the RTSTRUCT; `case_id` names the study in errors and reports.
Result<ReferencePlan> load_reference_plan(std::string case_id, std::vector<std::filesystem::path> ct_files,
                                          const std::filesystem::path& seg_file,
                                          const std::filesystem::path& rtstruct_file);

// The CT files of a study folder (ct/*.dcm, else *.dcm beside the ground truth
// that are not seg.dcm/rtstruct.dcm), sorted by name.
std::vector<std::filesystem::path> ct_files_of(const std::filesystem::path& study_dir);

// One score per reference structure that `predicted` names; a reference
// structure with no prediction scores as an empty prediction (Dice 0). Masks
// must be on the reference grid (invalid_argument otherwise).
Result<std::vector<evaluation::StructureScore>> score_plan(
    const ReferencePlan& reference, const std::map<std::string, imaging::Volume<std::uint8_t>>& predicted);

}  // namespace medai::apps::rt

#pragma once
// Writes complete synthetic studies into folders (DICOM + ground truth).
// Each function is deterministic in (seed, index, options) and returns the
// ground-truth JSON it wrote (also a summary for the CLI).
#include <cstdint>
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace medai::synth {

struct StudyOptions {
  bool small = false;
  int threads = 2;
  int min_nodules = 0;        // chest CT: redraw until at least this many (tests)
  bool force_lesion = false;  // mammography: every exam has a lesion (tests)
  int slices = 0;             // chest CT: fixed slice count (0: drawn from the seed)
  int matrix = 0;             // rt: in-plane matrix of a full-size plan (0: 512)
};

// <dir>/ct/CT0001.dcm..., <dir>/seg.dcm (one segment per nodule, when any),
// <dir>/ground_truth.json.
Result<nlohmann::json> write_chest_ct_study(std::uint64_t seed, int index, const StudyOptions& options,
                                            const std::filesystem::path& dir);

// <dir>/{RCC,LCC,RMLO,LMLO}.dcm, <dir>/<view>_mask.png for views showing the
// lesion, <dir>/ground_truth.json.
Result<nlohmann::json> write_mammo_exam(std::uint64_t seed, int index, const StudyOptions& options,
                                        const std::filesystem::path& dir);

// <dir>/ct/CT0001.dcm..., <dir>/rtstruct.dcm, <dir>/seg.dcm (one segment per
// structure, overlapping), <dir>/ground_truth.json.
Result<nlohmann::json> write_rt_study(std::uint64_t seed, int index, const StudyOptions& options,
                                      const std::filesystem::path& dir);

// <dir>/cohort.json, <dir>/cohort.csv, <dir>/fhir/<patient id>.json (one FHIR
// R4 Bundle per patient); `count` patients. Returns summary counts.
Result<nlohmann::json> write_diabetes_cohort(std::uint64_t seed, int count, const std::filesystem::path& dir);

// Kinds of `medai synth`: "chest-ct", "mammo", "rt" (one study per index) and
// "diabetes" (one cohort of `count` patients).
bool is_synth_kind(std::string_view kind);

// Writes study `index` of `kind` into `dir` atomically: into "<dir>.partial"
// first, renamed over `dir` only when complete, so a failure leaves nothing.
Result<nlohmann::json> write_study(std::string_view kind, std::uint64_t seed, int index, const StudyOptions& options,
                                   const std::filesystem::path& dir);

// Per-study seed of study `index` in a run started with `seed`.
std::uint64_t study_seed(std::uint64_t seed, std::string_view kind, int index);

// Writes `json` pretty-printed (2 spaces, trailing newline).
Status write_json_file(const nlohmann::json& json, const std::filesystem::path& path);

}  // namespace medai::synth

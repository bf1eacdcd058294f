#include "synth/study_output.h"

namespace medai::synth {

bool is_synth_kind(std::string_view kind) {
  return kind == "chest-ct" || kind == "mammo" || kind == "rt" || kind == "diabetes";
}

Result<nlohmann::json> write_study(std::string_view kind, std::uint64_t seed, int index, const StudyOptions& options,
                                   const std::filesystem::path& dir) {
  if (!is_synth_kind(kind)) {
    return make_error(ErrorCode::invalid_argument, "unknown synthetic study kind",
                      {{"kind", std::string(kind)}, {"expected", {"chest-ct", "mammo", "rt", "diabetes"}}});
  }
  std::filesystem::path partial = dir;
  partial += ".partial";
  std::error_code ec;
  std::filesystem::remove_all(partial, ec);
  Result<nlohmann::json> result = [&]() -> Result<nlohmann::json> {
    if (kind == "chest-ct") return write_chest_ct_study(seed, index, options, partial);
    if (kind == "mammo") return write_mammo_exam(seed, index, options, partial);
    if (kind == "rt") return write_rt_study(seed, index, options, partial);
    return write_diabetes_cohort(seed, index, partial);
  }();
  if (!result.is_ok()) {
    std::filesystem::remove_all(partial, ec);
    return result;
  }
  std::filesystem::remove_all(dir, ec);
  std::filesystem::rename(partial, dir, ec);
  if (ec) {
    std::filesystem::remove_all(partial, ec);
    return make_error(ErrorCode::io_error, "cannot move the finished study into place", {{"path", dir.string()}});
  }
  return result;
}

}  // namespace medai::synth

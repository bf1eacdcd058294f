// write_diabetes_cohort: cohort.json, cohort.csv, fhir/<patient>.json.
#include <fstream>

#include "synth/diabetes_cohort.h"
#include "synth/study_output.h"

namespace medai::synth {

Result<nlohmann::json> write_diabetes_cohort(std::uint64_t seed, int count, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir / "fhir", ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create output folder", {{"path", dir.string()}});
  const std::vector<DiabetesPatient> patients = generate_diabetes_cohort(seed, count);
  nlohmann::json all = nlohmann::json::array();
  for (const DiabetesPatient& p : patients) {
    all.push_back(to_json(p));
    MEDAI_RETURN_IF_ERROR(write_json_file(fhir_bundle(p, "2025-06-01"), dir / "fhir" / (p.id + ".json")));
  }
  nlohmann::json doc = {{"kind", "diabetes"},
                        {"generator", std::string("medai synth ") + MEDAI_VERSION},
                        {"seed", seed},
                        {"count", count},
                        {"patients", all}};
  MEDAI_RETURN_IF_ERROR(write_json_file(doc, dir / "cohort.json"));
  std::ofstream csv(dir / "cohort.csv", std::ios::binary | std::ios::trunc);
  csv << cohort_csv(patients);
  csv.close();
  if (!csv) return make_error(ErrorCode::io_error, "cannot write CSV file", {{"path", (dir / "cohort.csv").string()}});
  // Summary for the CLI: prevalences.
  int ascvd = 0, hf = 0, ckd = 0, hypo = 0;
  double a1c = 0;
  for (const auto& p : patients) {
    ascvd += p.ascvd;
    hf += p.heart_failure;
    ckd += p.ckd;
    hypo += p.hypoglycemia_history;
    a1c += p.hba1c;
  }
  return nlohmann::json{{"patients", count},
                        {"ascvd", ascvd},
                        {"heart_failure", hf},
                        {"ckd", ckd},
                        {"hypoglycemia_history", hypo},
                        {"mean_hba1c", count ? std::round(a1c / count * 100) / 100 : 0.0}};
}

}  // namespace medai::synth

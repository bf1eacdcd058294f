#include "apps/eval/package_evaluation.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <fstream>

#include "core/clock.h"

namespace medai::apps::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// SOP classes that are annotations, not images: "SEG", "RTSTRUCT", "SR", or "" for an image.
std::string annotation_kind(const std::string& sop_class) {
  if (sop_class == UID_SegmentationStorage) return "SEG";
  if (sop_class == UID_RTStructureSetStorage) return "RTSTRUCT";
  if (sop_class == UID_BasicTextSRStorage || sop_class == UID_EnhancedSRStorage ||
      sop_class == UID_ComprehensiveSRStorage || sop_class == UID_Comprehensive3DSRStorage)
    return "SR";
  return "";
}

Result<std::string> sop_class_of(const fs::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect).bad())
    return make_error(ErrorCode::invalid_dicom, "a study file is not readable DICOM",
                      {{"file", file.filename().string()}});
  OFString cls;
  ff.getDataset()->findAndGetOFString(DCM_SOPClassUID, cls);
  return std::string(cls.c_str());
}

}  // namespace

Result<std::vector<EvaluationStudy>> list_studies(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::not_found, "the studies folder does not exist", {{"path", dir.string()}});
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && fs::exists(e.path() / "ground_truth.json")) folders.push_back(e.path());
  std::sort(folders.begin(), folders.end());
  std::vector<EvaluationStudy> out;
  for (const auto& folder : folders) {
    EvaluationStudy s;
    s.case_id = folder.filename().string();
    s.dir = folder;
    std::ifstream in(folder / "ground_truth.json");
    s.ground_truth = json::parse(in, nullptr, false);
    if (s.ground_truth.is_discarded())
      return make_error(ErrorCode::invalid_argument, "ground_truth.json is not JSON",
                        {{"study", folder.filename().string()}});
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(folder, ec))
      if (e.is_regular_file() && e.path().extension() == ".dcm") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      MEDAI_ASSIGN_OR_RETURN(std::string cls, sop_class_of(f));
      if (const std::string kind = annotation_kind(cls); !kind.empty())
        s.annotation_files.push_back({kind, f});
      else
        s.image_files.push_back(f);
    }
    if (s.image_files.empty())
      return make_error(ErrorCode::invalid_argument, "a study folder has no image files",
                        {{"study", folder.filename().string()}});
    out.push_back(std::move(s));
  }
  if (out.empty())
    return make_error(ErrorCode::invalid_argument, "no study folders with ground_truth.json found",
                      {{"path", dir.string()}});
  return out;
}

json report_skeleton(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies) {
  const json& m = target.app.app.manifest;
  json r;
  r["schema"] = "medai.evaluation-report/1";
  r["title"] = "App " + target.app.app.app_name + " " + target.app.app.version + " on " +
               std::to_string(studies.size()) + " studies";
  r["created_at"] = iso8601_utc(now_ms());
  r["task"] = m.value("task", std::string());
  r["subject"] = {{"kind", "app_package"},
                  {"name", target.app.app.app_name},
                  {"version", target.app.app.version},
                  {"vendor", target.app.app.vendor},
                  {"digest", target.app.app.digest},
                  {"research_use_only", m.value("research_use_only", true)},
                  {"synthetic_training_data", m.value("synthetic_training_data", false)}};
  json names = json::array();
  for (const auto& s : studies) names.push_back(s.case_id);
  r["dataset"] = {{"kind", "study folders"}, {"studies", studies.size()}, {"folders", names}};
  r["notes"] = json::array();
  if (m.value("research_use_only", true)) r["notes"].push_back("Research use only: not for diagnostic use.");
  if (m.value("synthetic_training_data", false))
    r["notes"].push_back("The model was trained on synthetic data; figures on synthetic studies do not transfer to "
                         "real patients.");
  return r;
}

Result<json> evaluate_package(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies,
                              const PackageEvaluationOptions& options) {
  const json& m = target.app.app.manifest;
  const std::string task = m.value("task", std::string());
  const std::string kind = m.value("input", json::object()).value("kind", std::string("volume"));
  if (kind == "image") return evaluate_exam_classification_app(target, studies, options);
  if (task == "detection") return evaluate_detection_app(target, studies, options);
  if (task == "segmentation") return evaluate_segmentation_app(target, studies, options);
  return make_error(ErrorCode::invalid_argument, "package evaluation covers imaging detection, segmentation and "
                                                 "2-D exam classification apps",
                    {{"task", task}, {"input_kind", kind}});
}

}  // namespace medai::apps::eval

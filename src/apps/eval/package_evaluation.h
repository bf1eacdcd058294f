#pragma once
// Package evaluation: runs an imaging app (its signed package, unpacked) on
// labelled studies and scores it against their ground truth, next to a
// non-learned baseline on the same studies (`medai evaluate --package`).
// Studies are folders as `medai synth … --out DIR` writes them: one folder
// per study holding ground_truth.json and the DICOM files.
//
// The report is medai.evaluation-report/1 (docs/training.md) with the task's
// blocks; each task has its evaluator in its own file:
//   detection            → detection_evaluation.cc          (FROC/CPM, diameters, types)
//   segmentation         → segmentation_evaluation.cc       (Dice, HD95 per structure)
//   classification/image → exam_classification_evaluation.cc (exam AUC with CI)
// Conventions for evaluators: the learned model's scores go under
// report["splits"]["test"] (task blocks such as "detection", "segmentation",
// "classification"), the baseline's under report["baseline"] (with its
// "name" and "method"), plots in report["figures"] ({title, svg}), and one-line
// summaries in report["headline"] (strings, printed by the CLI), e.g.
// "CPM 0.87 (baseline 0.41) on 50 scans".
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/imaging_app_runner.h"
#include "core/status.h"

namespace medai::apps::eval {

// A SEG, RTSTRUCT or SR file that belongs to a study.
struct AnnotationFile {
  std::string kind;  // "SEG" | "RTSTRUCT" | "SR"
  std::filesystem::path path;
};

// One study to score. From a folder (list_studies): case_id is the folder's
// name and ground_truth its ground_truth.json. From a stored dataset
// (reference_from_annotations.h): case_id names the dataset item, never the
// patient, and the ground truth is derived from the annotation objects and
// the item's label.
struct EvaluationStudy {
  std::string case_id;
  std::filesystem::path dir;                       // the folder, when the study is one
  nlohmann::json ground_truth;                     // ground_truth.json, or derived
  std::vector<std::filesystem::path> image_files;  // DICOM files of the image series (not SEG/RTSTRUCT/SR)
  std::vector<AnnotationFile> annotation_files;    // SEG, RTSTRUCT, SR files of the study
};

struct PackageEvaluationOptions {
  bool baseline = true;          // also score the task's non-learned baseline
  int threads = 2;
  std::uint64_t seed = 1;        // bootstrap seed
  int bootstrap_resamples = 2000;
  // Called before each study (index, total) and once at the end (total,
  // total); returning false stops the evaluation (`cancelled`).
  std::function<bool(std::size_t, std::size_t)> progress;
};

// What the evaluators need to run the app: the unpacked package, its loaded
// model and a run context (job id "evaluation", fixed time: deterministic).
struct EvaluationTarget {
  ImagingApp app;
  runtime::ModelRuntime* model = nullptr;
  RunContext run;
};

// The study folders below `dir` (sorted by name), each with ground_truth.json;
// DICOM files sorted into image and annotation files by their SOP class.
Result<std::vector<EvaluationStudy>> list_studies(const std::filesystem::path& dir);

// Dispatches on the manifest's task and input kind.
Result<nlohmann::json> evaluate_package(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies,
                                        const PackageEvaluationOptions& options);

Result<nlohmann::json> evaluate_detection_app(const EvaluationTarget& target,
                                              const std::vector<EvaluationStudy>& studies,
                                              const PackageEvaluationOptions& options);
Result<nlohmann::json> evaluate_segmentation_app(const EvaluationTarget& target,
                                                 const std::vector<EvaluationStudy>& studies,
                                                 const PackageEvaluationOptions& options);
Result<nlohmann::json> evaluate_exam_classification_app(const EvaluationTarget& target,
                                                        const std::vector<EvaluationStudy>& studies,
                                                        const PackageEvaluationOptions& options);

// The report skeleton every evaluator starts from: schema, title, created_at,
// task, subject (app name, version, digest, research/synthetic flags).
nlohmann::json report_skeleton(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies);

}  // namespace medai::apps::eval

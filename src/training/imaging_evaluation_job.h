#pragma once
// Imaging evaluations as jobs: POST /api/v1/evaluations on an imaging dataset
// queues "evaluation.run" (a 50-scan lung evaluation takes minutes, not a
// request's worth). The handler runs the app — a published version's package,
// or a finished imaging training job's model under the manifest publishing
// would give it — exactly as app.run does, on every study of the requested
// split of the frozen dataset version, scores it with the package evaluators
// of `medai evaluate --package` (apps/eval: FROC/CPM, Dice/HD95, exam AUC,
// each next to its non-learned baseline), with the ground truth derived from
// the stored annotation objects and labels (apps/eval/reference_from_annotations.h),
// and stores the report on the evaluation row.
//
// Studies are named by dataset item ("item-7"), never by patient. The
// dataset's series are read as the system: the caller's right to read the
// dataset and the model was checked when the job was queued.
#include <filesystem>

#include "apps/package_cache.h"
#include "dicom/instance_store.h"
#include "jobs/job_engine.h"
#include "packages/app_catalog.h"
#include "storage/catalog.h"
#include "training/training_service.h"

namespace medai::training {

inline constexpr const char* kEvaluationJobType = "evaluation.run";

struct ImagingEvaluationDeps {
  storage::Catalog* catalog = nullptr;
  dicom::InstanceStore* dicom = nullptr;
  packages::AppCatalog* apps = nullptr;
  apps::PackageCache* packages = nullptr;
  TrainingService* training = nullptr;
  std::filesystem::path work_root;  // <data>/work/evaluations: a training job's model as a package folder
  int threads = 1;
};

void register_imaging_evaluation_handler(jobs::JobEngine& engine, ImagingEvaluationDeps deps);

}  // namespace medai::training

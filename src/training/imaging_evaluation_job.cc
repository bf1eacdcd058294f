#include "training/imaging_evaluation_job.h"

#include <map>

#include "access/audit.h"
#include "access/principal.h"
#include "apps/eval/package_evaluation.h"
#include "apps/eval/reference_from_annotations.h"
#include "core/clock.h"
#include "core/files.h"
#include "training/app_package.h"
#include "training/imaging_training_data.h"

namespace medai::training {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The app to run: a published version's unpacked package, or a training
// job's model in a package folder of its own (removed when the job ends).
struct AppUnderTest {
  apps::ImagingApp app;
  ScopedFolder scratch{{}};  // set for a training job's model
};

Result<std::unique_ptr<AppUnderTest>> app_under_test(const ImagingEvaluationDeps& d, const json& subject,
                                                     const std::string& evaluation_id) {
  const access::Principal system = access::system_principal();
  auto out = std::make_unique<AppUnderTest>();
  if (subject.value("kind", "") == "app_version") {
    MEDAI_ASSIGN_OR_RETURN(out->app.app, d.apps->visible_runnable(system, subject.value("app", ""),
                                                                  subject.value("version", "")));
    MEDAI_ASSIGN_OR_RETURN(out->app.package_dir, d.packages->unpacked(out->app.app));
    return out;
  }
  // A training job's model, under the manifest `train publish` would give it.
  MEDAI_ASSIGN_OR_RETURN(auto trained, d.training->trained_model(system, subject.value("id", "")));
  AppPackageRequest request;
  request.name = "training-job";
  request.version = "0.0.0";
  request.vendor = "medai";
  const json manifest = app_manifest_for(trained, request);
  out->scratch.path = d.work_root / evaluation_id;
  const fs::path artifact = out->scratch.path / manifest["model"].value("artifact", "model/model.pt");
  std::error_code ec;
  fs::create_directories(artifact.parent_path(), ec);
  fs::remove(artifact, ec);
  fs::create_symlink(trained.model_file, artifact, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot prepare the training job's model for evaluation");
  out->app.app = {"training-job", "medai", "0.0.0", subject.value("digest", ""), manifest, ""};
  out->app.package_dir = out->scratch.path;
  return out;
}

// The studies of the split, with their files and derived ground truth.
// Volume apps score one item (series) per study; 2-D exam apps one study
// (every image series of it) per exam, labelled by its first item.
Result<std::vector<apps::eval::EvaluationStudy>> studies_of(const ImagingEvaluationDeps& d, const json& manifest,
                                                             const std::string& dataset_id, std::int64_t version,
                                                             const std::string& split) {
  MEDAI_ASSIGN_OR_RETURN(auto data, ImagingTrainingData::load(*d.catalog, *d.dicom, dataset_id, version));
  const std::string task = manifest.value("task", "");
  const bool exams = manifest.value("input", json::object()).value("kind", "volume") == "image";
  std::vector<apps::eval::EvaluationStudy> studies;
  std::map<std::string, std::size_t> exam_of_study;
  const access::Principal system = access::system_principal();
  const auto& items = data->items();
  for (std::size_t index = 0; index < items.size(); ++index) {
    const auto& item = items[index];
    if (split != "all" && item.split != split) continue;
    const std::string study_uid = item.ref.value("study_uid", "");
    MEDAI_ASSIGN_OR_RETURN(auto images, data->series_files(study_uid, item.ref.value("series_uid", "")));
    std::vector<apps::eval::AnnotationFile> annotations;
    for (const auto& a : item.ref.value("annotations", json::array())) {
      MEDAI_ASSIGN_OR_RETURN(auto found, d.dicom->locate(system, {study_uid, a.value("series_uid", ""),
                                                                  a.value("sop_instance_uid", "")}, ""));
      for (const auto& f : found) annotations.push_back({a.value("kind", ""), f.path});
    }
    if (exams && exam_of_study.count(study_uid)) {
      auto& s = studies[exam_of_study[study_uid]];
      s.image_files.insert(s.image_files.end(), images.begin(), images.end());
      continue;
    }
    apps::eval::EvaluationStudy s;
    s.case_id = (exams ? "exam-" : "item-") + std::to_string(index + 1);
    s.image_files = std::move(images);
    s.annotation_files = std::move(annotations);
    if (exams) {
      s.ground_truth = apps::eval::exam_truth_from_label(item.label);
      exam_of_study[study_uid] = studies.size();
    } else if (task == "detection") {
      auto truth = apps::eval::detection_truth_from_seg(s.image_files, s.annotation_files, item.label);
      if (!truth)
        return make_error(truth.status().code(), s.case_id + ": " + truth.status().message(), truth.status().detail());
      s.ground_truth = std::move(*truth);
    }
    studies.push_back(std::move(s));
  }
  if (studies.empty()) return make_error(ErrorCode::unprocessable, "the split has no items");
  return studies;
}

class EvaluationHandler final : public jobs::JobHandler {
 public:
  explicit EvaluationHandler(ImagingEvaluationDeps deps) : d_(std::move(deps)) {}

  Result<json> run(const jobs::Job& job, jobs::JobContext& ctx) override {
    const json& in = job.input;
    const std::string evaluation_id = in.value("evaluation_id", "");
    ctx.progress(0, "preparing the model");
    MEDAI_ASSIGN_OR_RETURN(auto app, app_under_test(d_, in.value("subject", json::object()), evaluation_id));
    const runtime::ModelSpec spec = apps::model_spec_of(app->app.app, app->app.package_dir, d_.threads);
    MEDAI_ASSIGN_OR_RETURN(auto model, runtime::make_runtime(spec.runtime));
    MEDAI_RETURN_IF_ERROR(model->load(spec));

    ctx.progress(0, "reading the dataset");
    const std::string split = in.value("split", "test");
    const std::int64_t version = in.value("dataset_version", std::int64_t{0});
    MEDAI_ASSIGN_OR_RETURN(auto studies, studies_of(d_, app->app.app.manifest, in.value("dataset_id", ""), version, split));

    apps::eval::EvaluationTarget target;
    target.app = app->app;
    target.model = model.get();
    target.run.job_id = "evaluation-" + evaluation_id;
    target.run.created_at_ms = job.created_at;
    target.run.uid_key = evaluation_id;
    target.run.threads = d_.threads;
    apps::eval::PackageEvaluationOptions options;
    options.threads = d_.threads;
    options.baseline = in.value("baseline", true);
    options.bootstrap_resamples = static_cast<int>(in.value("bootstrap_resamples", std::int64_t{2000}));
    options.seed = in.value("seed", std::uint64_t{1});
    options.progress = [&ctx](std::size_t done, std::size_t total) {
      ctx.progress(total ? static_cast<double>(done) / total : 1.0,
                   "study " + std::to_string(std::min(done + 1, total)) + " of " + std::to_string(total));
      return !ctx.cancelled();
    };
    MEDAI_ASSIGN_OR_RETURN(json report, apps::eval::evaluate_package(target, studies, options));
    model->unload();

    // What the report is about: the subject as queued (app version or
    // training job, with its digest) and the dataset version and split.
    report["subject"] = in.value("subject", json::object());
    report["dataset"] = {{"id", in.value("dataset_id", "")},
                         {"name", in.value("dataset_name", "")},
                         {"version", version},
                         {"split", split},
                         {"studies", studies.size()}};
    report["title"] = "Evaluation of " + subject_text(report["subject"]) + " on " + in.value("dataset_name", "") +
                      " v" + std::to_string(version) + " (" + split + ")";
    MEDAI_RETURN_IF_ERROR(storage::with_transaction(*d_.catalog, storage::TxMode::read_write,
                                                    [&](storage::Transaction& tx) -> Status {
      MEDAI_ASSIGN_OR_RETURN(std::int64_t updated,
                             tx.exec("UPDATE evaluations SET report = $2, state = 'succeeded' WHERE id = $1",
                                     {evaluation_id, report.dump()}));
      if (updated == 0) return make_error(ErrorCode::not_found, "the evaluation row is gone");
      access::Principal system = access::system_principal();
      auto ev = access::audit_event(system, "evaluation.finish", "evaluation", evaluation_id);
      ev.institution_id = job.institution_id;
      ev.detail = {{"studies", studies.size()}, {"failures", report.value("failures", json::array()).size()}};
      return access::record_audit(tx, ev);
    }));
    return json{{"evaluation_id", evaluation_id}, {"studies", studies.size()}, {"headline", report.value("headline", json::array())}};
  }

 private:
  static std::string subject_text(const json& s) {
    return s.value("kind", "") == "training_job" ? "training job " + s.value("id", "")
                                                 : s.value("app", "") + " " + s.value("version", "");
  }
  ImagingEvaluationDeps d_;
};

}  // namespace

void register_imaging_evaluation_handler(jobs::JobEngine& engine, ImagingEvaluationDeps deps) {
  engine.register_handler(kEvaluationJobType, std::make_shared<EvaluationHandler>(std::move(deps)),
                          {.api_submittable = false});
}

}  // namespace medai::training

#pragma once
// The HTTP adapter of one medai instance: opens the data folder, builds the
// router from the per-resource route files and runs the server. Everything
// here delegates to the core modules; no business rule lives in this layer.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "access/bootstrap.h"
#include "access/directory.h"
#include "access/tokens.h"
#include "core/config.h"
#include "datasets/dataset_store.h"
#include "datasets/reference_data.h"
#include "dicom/instance_store.h"
#include "dicom/remote_nodes.h"
#include "http/router.h"
#include "jobs/job_engine.h"
#include "jobs/series_complete_detector.h"
#include "http/server.h"
#include "packages/app_catalog.h"
#include "packages/app_usage.h"
#include "apps/app_model_directory.h"
#include "apps/package_cache.h"
#include "apps/reference_apps.h"
#include "runtime/model_directory.h"
#include "runtime/model_repository.h"
#include "storage/data_dir.h"
#include "training/evaluation_service.h"
#include "training/training_service.h"

namespace medai::http {

// What route handlers may use. Built once at start-up.
struct AppContext {
  Config config;
  storage::DataDir* data = nullptr;
  access::Directory* directory = nullptr;
  access::Tokens* tokens = nullptr;
  datasets::DatasetStore* datasets = nullptr;
  Metrics* metrics = nullptr;  // set once the server exists
  dicom::RemoteNodes* dicom_nodes = nullptr;
  dicom::InstanceStore* dicom_store = nullptr;  // DICOM ingest/query/retrieve (all adapters share it)
  packages::AppCatalog* apps = nullptr;         // app packages, keys, visibility, approvals
  packages::AppUsage* app_usage = nullptr;      // feedback and usage metering
  runtime::ModelRepository* models = nullptr;          // loaded models (LRU by bytes), shared by all adapters
  runtime::ModelDirectory* model_directory = nullptr;  // models served on /v2 and who may call them
  apps::PackageCache* packages = nullptr;              // unpacked app packages, one folder per digest
  jobs::JobEngine* jobs = nullptr;              // background jobs (started with the server)
  training::TrainingService* training = nullptr;  // training jobs, artefacts, reports
  training::EvaluationService* evaluations = nullptr;  // stored model evaluations
  std::string version;
};

// Registers every route of the API on `router`.
void register_all_routes(Router& router, AppContext& ctx);

// Bearer header or medai_session cookie → Principal (with CSRF protection
// for cookie-authenticated unsafe methods).
Authenticator make_authenticator(access::Tokens& tokens);

class Application {
 public:
  static Result<std::unique_ptr<Application>> open(const Config& config);
  ~Application();

  // Creates the first administrator on an empty catalog (see bootstrap.h).
  Result<std::optional<access::FirstAdmin>> bootstrap();
  // Demo content for a first look (`medai serve --demo`): the reference
  // datasets from Debian packages, owned by the platform institution.
  Result<std::vector<datasets::ReferenceImport>> load_demo_data();
  // The reference apps (apps/*/*.medai under `folder`), installed as their
  // vendor would publish them and approved for the platform institution;
  // then one demo study and app.run job per imaging app (reference_apps.h).
  Result<std::vector<apps::ReferenceAppInstall>> install_reference_apps(const std::filesystem::path& folder);
  Result<std::vector<apps::DemoRun>> queue_demo_runs(const std::vector<apps::ReferenceAppInstall>& installed);
  Status start();
  std::uint16_t port() const;
  void stop();
  const Router& router() const { return *router_; }
  AppContext& context() { return ctx_; }
  // The DICOM store, for adapters started beside HTTP (DIMSE).
  dicom::InstanceStore* dicom_store() { return dicom_store_.get(); }
  dicom::RemoteNodes* dicom_nodes() { return dicom_nodes_.get(); }
  packages::AppCatalog* apps() { return apps_.get(); }
  packages::AppUsage* app_usage() { return app_usage_.get(); }
  runtime::ModelRepository* models() { return models_.get(); }
  // Operator-configured models (runtime.models_file); the app catalog may
  // replace ctx.model_directory with its own implementation.
  runtime::StaticModelDirectory* static_models() { return model_directory_.get(); }
  jobs::JobEngine* jobs() { return jobs_.get(); }
  // Trainers by architecture; more (LibTorch) are added before start().
  training::TrainerRegistry& trainers() { return *trainers_; }
  access::Directory* directory() { return directory_.get(); }
  storage::DataDir& data() { return data_; }

 private:
  Application() = default;
  storage::DataDir data_;
  std::unique_ptr<access::Directory> directory_;
  std::unique_ptr<access::Tokens> tokens_;
  std::unique_ptr<datasets::DatasetStore> datasets_;
  std::unique_ptr<dicom::InstanceStore> dicom_store_;
  std::unique_ptr<dicom::RemoteNodes> dicom_nodes_;
  std::unique_ptr<packages::AppCatalog> apps_;
  std::unique_ptr<packages::AppUsage> app_usage_;
  std::unique_ptr<runtime::ModelRepository> models_;
  std::unique_ptr<runtime::StaticModelDirectory> model_directory_;
  std::unique_ptr<apps::PackageCache> package_cache_;
  std::unique_ptr<apps::AppModelDirectory> app_models_;
  std::unique_ptr<jobs::JobEngine> jobs_;  // destroyed after the server (declared before it)
  std::unique_ptr<jobs::SeriesCompleteDetector> series_detector_;  // routing rules
  std::shared_ptr<training::TrainerRegistry> trainers_;
  std::unique_ptr<training::TrainingService> training_;
  std::unique_ptr<training::EvaluationService> evaluations_;
  AppContext ctx_;
  std::shared_ptr<Router> router_;
  std::unique_ptr<Server> server_;
};

}  // namespace medai::http

#include "http/app.h"
#include "http/operational_metrics.h"

#include <set>
#include <thread>
#include <sstream>

#include "core/log.h"
#include "core/phi.h"
#include "runtime/torch_threads.h"
#include "training/torch/torch_trainers.h"
#include "apps/app_model_directory.h"
#include "apps/app_run_handler.h"
#include "jobs/test_handlers.h"
#include "runtime/model_check.h"
#include "jobs/dicom_push.h"
#include "jobs/webhooks.h"
#include "training/imaging_evaluation_job.h"
#include "training/xgboost_trainer.h"

namespace medai::http {
namespace {

std::string cookie_value(const std::string& cookie_header, std::string_view name) {
  // Cookie: a=b; medai_session=xyz
  std::string_view rest(cookie_header);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ';')) rest.remove_prefix(1);
    auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

bool is_unsafe(Method m) { return m == Method::post || m == Method::put || m == Method::patch || m == Method::del; }

// Origin "https://host:port" → "host:port".
std::string origin_host(const std::string& origin) {
  auto pos = origin.find("://");
  return pos == std::string::npos ? origin : origin.substr(pos + 3);
}

}  // namespace

Authenticator make_authenticator(access::Tokens& tokens) {
  return [&tokens](const Request& req) -> Result<access::Principal> {
    const std::string authz = req.header("Authorization");
    if (!authz.empty()) {
      constexpr std::string_view kBearer = "Bearer ";
      if (authz.size() <= kBearer.size() || authz.compare(0, kBearer.size(), kBearer) != 0)
        return make_error(ErrorCode::unauthenticated, "the Authorization header must be 'Bearer <token>'");
      return tokens.authenticate(std::string_view(authz).substr(kBearer.size()), false);
    }
    const std::string session = cookie_value(req.header("Cookie"), "medai_session");
    if (session.empty())
      return make_error(ErrorCode::unauthenticated,
                        "log in, or send an API token as 'Authorization: Bearer <token>'");
    // Cross-site request forgery: a browser adds Origin to unsafe requests;
    // one from another site must not ride on our cookie (SameSite=Strict is
    // the first line, this the second).
    if (is_unsafe(req.method)) {
      const std::string origin = req.header("Origin");
      if (!origin.empty() && origin_host(origin) != req.header("Host"))
        return make_error(ErrorCode::forbidden, "cross-origin request refused");
    }
    MEDAI_ASSIGN_OR_RETURN(access::Principal p, tokens.authenticate(session, true));
    p.via_cookie = true;
    return p;
  };
}

Result<std::unique_ptr<Application>> Application::open(const Config& config) {
  std::unique_ptr<Application> app(new Application());
  MEDAI_ASSIGN_OR_RETURN(app->data_, storage::open_data_dir(config));
  phi::set_mask_key(app->data_.secret);
  app->directory_ = std::make_unique<access::Directory>(*app->data_.catalog, config.auth);
  app->tokens_ = std::make_unique<access::Tokens>(*app->data_.catalog, *app->directory_, config.auth);
  app->datasets_ = std::make_unique<datasets::DatasetStore>(*app->data_.catalog, *app->data_.blobs, app->data_.secret);
  MEDAI_ASSIGN_OR_RETURN(auto duplicate_policy, dicom::duplicate_policy_from_name(config.dicom.duplicate_policy));
  app->dicom_store_ =
      std::make_unique<dicom::InstanceStore>(*app->data_.catalog, *app->data_.blobs, duplicate_policy);
  app->ctx_.dicom_store = app->dicom_store_.get();
  if (!config.dicom.deidentify_institutions.empty()) {
    // Research-only institutions named by handle; an unknown handle stops
    // start-up rather than storing identifiable data by mistake.
    std::set<std::string> ids;
    std::stringstream handles(config.dicom.deidentify_institutions);
    for (std::string handle; std::getline(handles, handle, ',');) {
      handle.erase(0, handle.find_first_not_of(' '));
      handle.erase(handle.find_last_not_of(' ') + 1);
      if (handle.empty()) continue;
      auto inst = app->directory_->find_institution(access::system_principal(), handle);
      if (!inst)
        return make_error(ErrorCode::config_error,
                          "dicom.deidentify_institutions names an unknown institution: " + handle);
      ids.insert(inst->id);
    }
    app->dicom_store_->set_ingest_deidentifier(
        std::make_shared<dicom::IngestDeidentifier>(app->data_.secret, std::move(ids)));
  }
  app->dicom_nodes_ = std::make_unique<dicom::RemoteNodes>(*app->data_.catalog);
  app->ctx_.dicom_nodes = app->dicom_nodes_.get();
  packages::AppCatalogOptions app_options;
  app_options.limits.max_package_bytes = static_cast<std::uint64_t>(config.apps.max_package_bytes);
  app_options.work_dir = std::filesystem::path(config.data_dir) / "work" / "apps";
  // Publishing loads the model once in a child process with resource limits
  // (runtime/model_check.h) and runs it on the package's test input.
  app_options.check_run = [](const packages::VerifiedPackage& package, const std::filesystem::path& dir) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return make_error(ErrorCode::internal, "cannot find the medai binary for the model check");
    return runtime::check_model_in_sandbox(dir, package.manifest.document, self);
  };
  app->apps_ = std::make_unique<packages::AppCatalog>(*app->data_.catalog, *app->data_.blobs, app_options);
  app->ctx_.apps = app->apps_.get();
  app->app_usage_ = std::make_unique<packages::AppUsage>(*app->data_.catalog);
  app->ctx_.app_usage = app->app_usage_.get();
  runtime::configure_torch_threads(static_cast<int>(config.runtime.threads),
                                   static_cast<int>(config.runtime.interop_threads));
  app->models_ = std::make_unique<runtime::ModelRepository>(static_cast<std::size_t>(config.runtime.max_resident_bytes));
  app->model_directory_ = std::make_unique<runtime::StaticModelDirectory>();
  if (!config.runtime.models_file.empty())
    MEDAI_RETURN_IF_ERROR(runtime::load_models_file(config.runtime.models_file, *app->model_directory_));
  app->ctx_.models = app->models_.get();
  app->ctx_.model_directory = app->model_directory_.get();
  app->jobs_ = std::make_unique<jobs::JobEngine>(*app->data_.catalog, jobs::engine_options_from_config(config.jobs));
  jobs::register_webhook_delivery(*app->jobs_, *app->data_.catalog);
  jobs::register_job_events(*app->jobs_, *app->data_.catalog);
  jobs::register_dicom_push(*app->jobs_, *app->dicom_store_, *app->dicom_nodes_,
                            {.calling_ae = config.dicom.ae_title,
                             .acse_timeout_s = static_cast<int>(config.dicom.acse_timeout_s),
                             .dimse_timeout_s = static_cast<int>(config.dicom.dimse_timeout_s)});
  if (config.jobs.enable_test_handlers) jobs::register_test_handlers(*app->jobs_);
  // Unpacked packages, shared by app runs and the KServe v2 endpoint, which
  // serves the operator's models and every app version approved at the
  // caller's institution.
  app->package_cache_ = std::make_unique<apps::PackageCache>(
      *app->apps_, std::filesystem::path(config.data_dir) / "work" / "packages");
  app->app_models_ = std::make_unique<apps::AppModelDirectory>(
      *app->apps_, *app->package_cache_, app->model_directory_.get(),
      static_cast<int>(std::max<std::int64_t>(1, config.runtime.threads)));
  app->ctx_.model_directory = app->app_models_.get();
  app->ctx_.packages = app->package_cache_.get();
  app->jobs_->register_handler(apps::kAppRunJobType,
                               std::make_shared<apps::AppRunHandler>(apps::AppRunDeps{
                                   .catalog = app->apps_.get(),
                                   .usage = app->app_usage_.get(),
                                   .models = app->models_.get(),
                                   .dicom = app->dicom_store_.get(),
                                   .packages = app->package_cache_.get(),
                                   .engine = app->jobs_.get(),
                                   .uid_key = app->data_.secret,
                                   .threads = static_cast<int>(std::max<std::int64_t>(1, config.runtime.threads))}),
                               {.api_submittable = true,
                                .submit_roles = {access::Role::doctor, access::Role::institution_admin,
                                                 access::Role::admin}});
  app->ctx_.jobs = app->jobs_.get();
  // Training jobs: XGBoost for tables, LibTorch for images.
  app->trainers_ = std::make_shared<training::TrainerRegistry>();
  training::register_xgboost_trainer(*app->trainers_);
  training::register_torch_trainers(*app->trainers_);
  app->training_ = std::make_unique<training::TrainingService>(
      *app->data_.catalog, *app->data_.blobs, *app->datasets_, *app->jobs_, app->trainers_,
      training::TrainingServiceOptions{.work_root = std::filesystem::path(config.data_dir) / "work" / "training",
                                       .max_threads = config.runtime.threads > 0
                                                          ? static_cast<int>(config.runtime.threads)
                                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
                                       .dicom = app->dicom_store_.get()});
  app->training_->register_job_handler();
  app->ctx_.training = app->training_.get();
  app->evaluations_ = std::make_unique<training::EvaluationService>(
      *app->data_.catalog, *app->datasets_, *app->training_, *app->apps_, *app->package_cache_, *app->jobs_,
      static_cast<int>(std::max<std::int64_t>(1, config.runtime.threads)));
  training::register_imaging_evaluation_handler(
      *app->jobs_, {.catalog = app->data_.catalog.get(),
                    .dicom = app->dicom_store_.get(),
                    .apps = app->apps_.get(),
                    .packages = app->package_cache_.get(),
                    .training = app->training_.get(),
                    .work_root = std::filesystem::path(config.data_dir) / "work" / "evaluations",
                    .threads = static_cast<int>(std::max<std::int64_t>(1, config.runtime.threads))});
  app->ctx_.evaluations = app->evaluations_.get();
  app->series_detector_ = std::make_unique<jobs::SeriesCompleteDetector>(
      *app->data_.catalog, *app->data_.blobs, *app->jobs_,
      jobs::DetectorOptions{.stable_ms = config.jobs.series_stable_seconds * 1000,
                            .poll_interval_ms = std::min<std::int64_t>(1000, config.jobs.series_stable_seconds * 500)});
  app->ctx_.config = config;
  app->ctx_.data = &app->data_;
  app->ctx_.directory = app->directory_.get();
  app->ctx_.tokens = app->tokens_.get();
  app->ctx_.datasets = app->datasets_.get();
  app->ctx_.version = MEDAI_VERSION;

  ServerOptions options;
  options.host = config.http.host;
  options.port = static_cast<std::uint16_t>(config.http.port);
  options.io_threads = static_cast<int>(config.http.io_threads);
  options.handler_threads = static_cast<int>(config.http.handler_threads);
  options.max_header_bytes = static_cast<std::size_t>(config.http.max_header_bytes);
  options.max_body_bytes = static_cast<std::size_t>(config.http.max_body_bytes);
  options.header_timeout = std::chrono::milliseconds(config.http.header_timeout_ms);
  options.body_timeout = std::chrono::milliseconds(config.http.body_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.http.idle_timeout_ms);
  options.tls_cert = config.http.tls_cert;
  options.tls_key = config.http.tls_key;

  auto router = std::make_shared<Router>();
  register_all_routes(*router, app->ctx_);
  app->router_ = router;
  app->server_ = std::make_unique<Server>(options, router, make_authenticator(*app->tokens_));
  app->ctx_.metrics = &app->server_->metrics();
  add_job_queue_metrics(*app->ctx_.metrics, *app->jobs_);
  add_store_metrics(*app->ctx_.metrics, app->dicom_store_->catalog());
  return app;
}

Application::~Application() { stop(); }

Result<std::optional<access::FirstAdmin>> Application::bootstrap() {
  return access::bootstrap_first_admin(*directory_);
}

Result<std::vector<datasets::ReferenceImport>> Application::load_demo_data() {
  const access::Principal system = access::system_principal();
  MEDAI_ASSIGN_OR_RETURN(auto platform, directory_->find_institution(system, access::kPlatformInstitution));
  return datasets::import_reference_datasets(*datasets_, system, platform.id);
}

Result<std::vector<apps::ReferenceAppInstall>> Application::install_reference_apps(const std::filesystem::path& folder) {
  const access::Principal system = access::system_principal();
  MEDAI_ASSIGN_OR_RETURN(auto platform, directory_->find_institution(system, access::kPlatformInstitution));
  return apps::install_reference_apps(*directory_, *apps_, folder, platform.id);
}

Result<std::vector<apps::DemoRun>> Application::queue_demo_runs(
    const std::vector<apps::ReferenceAppInstall>& installed) {
  const access::Principal system = access::system_principal();
  MEDAI_ASSIGN_OR_RETURN(auto platform, directory_->find_institution(system, access::kPlatformInstitution));
  return apps::queue_demo_runs(*apps_, *dicom_store_, *jobs_, installed, platform.id,
                               std::filesystem::path(ctx_.config.data_dir) / "demo");
}

Status Application::start() {
  MEDAI_RETURN_IF_ERROR(jobs_->start());
  series_detector_->start();
  return server_->start();
}
std::uint16_t Application::port() const { return server_->port(); }
void Application::stop() {
  if (server_) server_->stop();
  if (series_detector_) series_detector_->stop();
  if (jobs_) jobs_->stop();
}

}  // namespace medai::http

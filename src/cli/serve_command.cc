// medai serve: the HTTP server on the data folder.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "dimse/server.h"
#include "dimse/store_handler.h"
#include "core/log.h"
#include "http/app.h"

namespace medai::cli {
namespace {

struct ServeFlags {
  ConfigFlags config;
  std::string host;
  int port = -1;
  std::string ready_file;
  std::string log_level;
  bool demo = false;
  std::string reference_apps = "apps";  // with --demo: folder of the reference app packages
};

void print_first_admin(const access::FirstAdmin& admin, const std::string& url) {
  // Printed once, on the terminal only: the password is stored as a hash and
  // is never written to the log.
  std::cout << "\n"
            << "  First start: created the platform administrator.\n"
            << "    url:       " << url << "\n"
            << "    user:      " << admin.username << "\n"
            << "    password:  " << admin.password << "\n"
            << "  This password is shown only once. Log in and change it, or create\n"
            << "  your own accounts with `medai admin create-user`.\n\n"
            << std::flush;
}

void run(const ServeFlags& flags) {
  ConfigOverrides overrides;
  if (!flags.host.empty()) overrides["http.host"] = flags.host;
  if (flags.port >= 0) overrides["http.port"] = flags.port;
  if (!flags.log_level.empty()) overrides["log.level"] = flags.log_level;
  auto config = flags.config.load(overrides);
  if (!config) fail(config.status());
  log::init({*log::level_from_name(config->log.level), config->log.file, true});

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto app = http::Application::open(*config);
  if (!app) fail(app.status());
  auto admin = (*app)->bootstrap();
  if (!admin) fail(admin.status());
  Status started = (*app)->start();
  if (!started) fail(started);

  const bool tls = !config->http.tls_cert.empty();
  const std::string url = std::string(tls ? "https://" : "http://") + config->http.host + ":" +
                          std::to_string((*app)->port());
  log::info("server.started", {{"url", url}, {"data_dir", config->data_dir}, {"version", MEDAI_VERSION}});
  std::cout << "medai " << MEDAI_VERSION << " serving on " << url << " (data: " << config->data_dir << ")\n"
            << std::flush;
  if (*admin) print_first_admin(**admin, url);
  if (flags.demo) {
    // Demo content is loaded once; later starts find it present.
    auto demo = (*app)->load_demo_data();
    if (!demo) {
      log::warn("demo.failed", {{"error", std::string(error_code_name(demo.status().code()))},
                                {"message", demo.status().message()}});
    } else {
      for (const auto& r : *demo) {
        log::info("demo.dataset", {{"name", r.name}, {"outcome", r.outcome}, {"detail", r.detail}});
        if (r.outcome == "imported") std::cout << "  demo: imported reference dataset " << r.name << "\n" << std::flush;
      }
    }
    // The reference apps (signed packages under apps/), then one demo run of each imaging app.
    auto installed = (*app)->install_reference_apps(flags.reference_apps);
    if (!installed) {
      log::warn("demo.apps_failed", {{"error", std::string(error_code_name(installed.status().code()))},
                                     {"message", installed.status().message()}});
    } else {
      for (const auto& r : *installed) {
        log::info("demo.app", {{"file", r.file}, {"name", r.name}, {"version", r.version}, {"outcome", r.outcome},
                               {"detail", r.detail}});
        if (r.outcome != "present")
          std::cout << "  demo: app " << (r.name.empty() ? r.file : r.name + " " + r.version) << " " << r.outcome
                    << (r.detail.empty() ? "" : " (" + r.detail + ")") << "\n" << std::flush;
      }
      auto runs = (*app)->queue_demo_runs(*installed);
      if (!runs) {
        log::warn("demo.runs_failed", {{"error", std::string(error_code_name(runs.status().code()))},
                                       {"message", runs.status().message()}});
      } else {
        for (const auto& r : *runs)
          std::cout << "  demo: " << r.app << " " << r.version << " queued on a synthetic study (job " << r.job_id
                    << ")\n" << std::flush;
      }
    }
  }
  // DIMSE listener on the same store (C-STORE, C-FIND, C-GET, C-MOVE).
  std::unique_ptr<dimse::StoreHandler> dimse_handler;
  std::unique_ptr<dimse::DimseServer> dimse_server;
  if (config->dicom.enabled) {
    std::string default_institution;
    if (config->dicom.accept_unknown_callers) {
      // By handle ("platform") or id.
      const auto system = access::system_principal();
      auto inst = (*app)->directory()->find_institution(system, config->dicom.default_institution);
      if (!inst) inst = (*app)->directory()->get_institution(system, config->dicom.default_institution);
      if (!inst)
        fail(make_error(ErrorCode::config_error, "dicom.default_institution names no institution",
                        {{"value", config->dicom.default_institution}}));
      default_institution = inst->id;
    }
    dimse_handler = std::make_unique<dimse::StoreHandler>(*(*app)->dicom_store(), *(*app)->dicom_nodes(),
                                                          default_institution);
    auto server = dimse::DimseServer::start(
        dimse::server_options_from(config->dicom, std::filesystem::path(config->data_dir) / "tmp" / "dimse"),
        *dimse_handler);
    if (!server) fail(server.status());
    dimse_server = std::move(*server);
    // Gauges on /metrics (the server is stopped before dimse_server is freed).
    if (auto* metrics = (*app)->context().metrics) {
      metrics->add_collector([srv = dimse_server.get()](std::string& out) {
        out += "# HELP medai_dicom_associations_active DICOM (DIMSE) associations being served.\n"
               "# TYPE medai_dicom_associations_active gauge\n"
               "medai_dicom_associations_active " + std::to_string(srv->active_associations()) + "\n"
               "# HELP medai_dicom_associations_total DICOM association requests received since start.\n"
               "# TYPE medai_dicom_associations_total counter\n"
               "medai_dicom_associations_total " + std::to_string(srv->associations_received()) + "\n";
      });
    }
    log::info("dimse.started", {{"ae_title", config->dicom.ae_title},
                                {"host", config->dicom.host},
                                {"port", dimse_server->port()}});
    std::cout << "DICOM (DIMSE) AE " << config->dicom.ae_title << " on " << config->dicom.host << ":"
              << dimse_server->port() << "; DICOMweb at " << url << "/dicom-web\n"
              << std::flush;
  }
  if (!flags.ready_file.empty()) {
    // Written last and renamed into place, so a reader sees a complete file
    // only once the server accepts connections (tests and scripts wait on it).
    const std::string tmp = flags.ready_file + ".tmp";
    // Line 1: HTTP port; line 2: DIMSE port (0 when disabled).
    std::ofstream(tmp) << (*app)->port() << "\n" << (dimse_server ? dimse_server->port() : 0) << "\n";
    std::rename(tmp.c_str(), flags.ready_file.c_str());
  }

  int sig = 0;
  sigwait(&signals, &sig);
  log::info("server.stopping", {{"signal", sig}});
  if (dimse_server) dimse_server->stop();
  (*app)->stop();
  log::info("server.stopped");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the medai server: REST API, DICOMweb and DICOM (DIMSE)");
  flags->config.add_to(*cmd);
  cmd->add_option("--host", flags->host, "address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", flags->port, "HTTP port (default 8142; 0 picks a free one)")->check(CLI::Range(0, 65535));
  cmd->add_option("--log-level", flags->log_level, "debug, info, warn or error");
  cmd->add_option("--reference-apps", flags->reference_apps,
                  "with --demo: folder holding medai-reference.pub.json and <app>/<app>-<version>.medai packages "
                  "(default: apps, relative to the working directory)");
  cmd->add_flag("--demo", flags->demo,
                "load demo content on start (once): the reference datasets from Debian packages, the reference "
                "apps (--reference-apps) and one demo run of each imaging app");
  cmd->add_option("--ready-file", flags->ready_file,
                  "write the bound port to this file once listening (for scripts and tests)");
  cmd->callback([flags] { run(*flags); });
}

}  // namespace medai::cli

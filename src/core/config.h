#pragma once
// Configuration: built-in defaults, overridden by a JSON file (--config),
// then by MEDAI_* environment variables, then by command-line flags.
// Every key has a default, so an empty data folder and no file is a valid
// configuration (the embedded default: SQLite + ./var). Unknown keys in a
// file are an error, so a typo never silently falls back to a default.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"

namespace medai {

struct HttpConfig {
  std::string host = "127.0.0.1";
  std::int64_t port = 8142;
  std::int64_t io_threads = 2;
  std::int64_t handler_threads = 4;
  std::int64_t max_header_bytes = 16 * 1024;
  std::int64_t max_body_bytes = 64 * 1024 * 1024;
  std::int64_t header_timeout_ms = 10000;
  std::int64_t body_timeout_ms = 300000;
  std::int64_t idle_timeout_ms = 60000;
  std::string tls_cert;
  std::string tls_key;
};

struct AuthConfig {
  std::int64_t session_ttl_minutes = 12 * 60;
  std::int64_t token_ttl_days = 90;       // default lifetime of API tokens
  std::int64_t max_token_ttl_days = 365;  // longest lifetime a caller may ask for
  std::int64_t login_max_failures = 5;    // per user name, within the window
  std::int64_t login_failure_window_s = 900;
  std::int64_t min_password_length = 12;
};

// DICOM network services (DIMSE) and DICOM storage policy.
struct DicomConfig {
  bool enabled = true;                 // start the DIMSE SCP with `medai serve`
  std::string host = "127.0.0.1";      // listen address; 0.0.0.0 to accept PACS on the network
  std::int64_t port = 11112;           // 0 picks a free port (tests)
  std::string ae_title = "MEDAI";      // our Application Entity title
  bool accept_unknown_callers = false; // callers must be registered remote nodes unless true
  std::string default_institution;     // institution id for unknown callers when accepted
  std::int64_t max_associations = 16;
  std::int64_t max_pdu_bytes = 131072;
  std::int64_t acse_timeout_s = 30;
  std::int64_t dimse_timeout_s = 60;
  // Same SOP Instance UID with different bytes: "reject" keeps the first
  // copy and refuses the new one; "keep_newest" replaces it. Both are logged.
  std::string duplicate_policy = "reject";
  // Research-only institutions: comma-separated institution handles whose
  // incoming instances are de-identified before they are stored (PS3.15
  // basic profile, patient characteristics kept, dates shifted; UIDs and
  // pseudonyms stable per institution). Empty: store as received.
  std::string deidentify_institutions;
};

// AI app packages (see docs/apps.md).
struct AppsConfig {
  std::int64_t max_package_bytes = std::int64_t(2) << 30;  // largest .medai upload (413 above)
};

// Datasets (see docs/datasets.md).
struct DatasetsConfig {
  // Server-side import folder: POST /api/v1/datasets with source.folder
  // ingests a folder below this one. Empty (the default): off.
  std::string import_root;
  std::int64_t max_import_files = 200000;  // files one folder import may hold
};

// Model runtimes and the in-memory model repository.
struct RuntimeConfig {
  std::int64_t max_resident_bytes = 4LL << 30;  // LRU budget of loaded models
  std::int64_t threads = 0;                     // LibTorch intra-op threads; 0 = online CPUs
  std::int64_t interop_threads = 1;             // LibTorch inter-op pool (set once per process)
  // JSON file listing models served on /v2 before the app catalog backs it:
  // [{"name", "version", "runtime", "artifact", "threads", "remote"}]; "" = none.
  std::string models_file;
};

// Job engine (src/jobs): workers, leases, retries, routing rules.
struct JobsConfig {
  std::int64_t workers = 2;                 // in-process worker threads; 0 disables the engine
  std::int64_t poll_interval_ms = 500;      // idle workers look for due jobs this often
  std::int64_t lease_seconds = 60;          // a running job's lease, renewed every third of it
  std::int64_t retry_base_ms = 2000;        // first retry delay; doubles per attempt
  std::int64_t retry_max_ms = 600000;       // longest retry delay
  std::int64_t max_attempts = 5;            // default attempts per job
  std::int64_t series_stable_seconds = 30;  // a series is complete after this long without a new instance
  bool enable_test_handlers = false;        // built-in noop/sleep/fail job types (tests only)
};

// The web portal's built files (web/dist), served at / by `medai serve`.
struct WebConfig {
  // Folder with index.html; "" = look for web/dist beside the executable's
  // build or install tree (see http/static_files.h); "off" = do not serve.
  std::string root;
};

struct LogConfig {
  std::string level = "info";
  std::string file;  // empty: stderr only
};

struct Config {
  std::string data_dir = "var";
  HttpConfig http;
  AuthConfig auth;
  DicomConfig dicom;
  AppsConfig apps;
  DatasetsConfig datasets;
  RuntimeConfig runtime;
  JobsConfig jobs;
  WebConfig web;
  LogConfig log;

  std::filesystem::path catalog_path() const { return std::filesystem::path(data_dir) / "catalog.sqlite"; }
  std::filesystem::path blob_root() const { return std::filesystem::path(data_dir) / "blobs"; }
  std::filesystem::path secret_path() const { return std::filesystem::path(data_dir) / "secret.key"; }
};

// Flat "section.key" → JSON value overrides, e.g. {"http.port": 0}.
using ConfigOverrides = std::map<std::string, nlohmann::json>;

struct ConfigSources {
  std::optional<std::filesystem::path> file;
  bool read_environment = true;
  ConfigOverrides flags;
};

Result<Config> load_config(const ConfigSources& sources);
// The effective configuration as JSON (secrets such as key paths are shown,
// secret values never exist in config).
nlohmann::json config_to_json(const Config& config);
// Environment variable that sets `key` ("http.port" → "MEDAI_HTTP_PORT").
std::string config_env_name(const std::string& key);

}  // namespace medai

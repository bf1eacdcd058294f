#pragma once
// `medai` subcommands. Each adds itself to the CLI11 app; main() only wires
// them. Commands that work on a data folder open it directly (server running
// or not); commands that talk to a running server take --server/--token.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/config.h"

namespace medai::cli {

// Flags every data-folder command accepts: --config, --data-dir.
struct ConfigFlags {
  std::string config_file;
  std::string data_dir;
  void add_to(CLI::App& cmd);
  Result<Config> load(ConfigOverrides extra = {}) const;
};

// Flags of commands that call a running server.
struct ServerFlags {
  std::string server = "http://127.0.0.1:8142";  // MEDAI_SERVER
  std::string token;   // MEDAI_TOKEN
  void add_to(CLI::App& cmd);
};

// `medai dicom pull --dicomweb URL`: WADO-RS retrieve from a DICOMweb server,
// then STOW-RS into the medai server (--server/--token) or files in --out.
struct DicomwebPullFlags {
  std::string url;           // source DICOMweb root
  std::string source_token;  // bearer token for the source ("" for none)
  ServerFlags server;        // where to store (unless --out)
  void add_to(CLI::App& cmd);
};
// Returns the exit code: 0 all stored, 1 error, 2 some instances refused.
int run_dicomweb_pull(const DicomwebPullFlags& flags, const std::string& study, const std::string& out);

void add_serve_command(CLI::App& app);
void add_admin_commands(CLI::App& app);
void add_config_commands(CLI::App& app);  // config print, migrate, version
void add_client_commands(CLI::App& app);  // whoami
void add_data_commands(CLI::App& app);    // data import-reference|list|show|create|freeze|export|delete
void add_deid_command(CLI::App& app);     // deid, reidentify (PS3.15 de-identification)
void add_dicom_commands(CLI::App& app);   // dicom echo, push, pull (DIMSE SCU), stow, nodes
void add_dicom_node_commands(CLI::App& dicom);  // dicom nodes add|list|remove
void add_stow_command(CLI::App& dicom);         // dicom stow (STOW-RS client)
void add_synth_command(CLI::App& app);    // synth chest-ct|mammo|rt|diabetes
void add_app_commands(CLI::App& app);     // app keygen|pack|sign|verify|register-key|publish|list|show|approve
void add_runtime_commands(CLI::App& app);  // app check-run (hidden; sandboxed model check)
void add_synth_command(CLI::App& app);    // synth chest-ct|mammo|rt|diabetes
void add_train_commands(CLI::App& app);   // train [status|list|cancel|report|publish]
void add_evaluate_command(CLI::App& app);  // evaluate (classification reports)
void add_job_commands(CLI::App& app);     // jobs list|show|submit|cancel|retry|wait

// Prints a Status as the CLI's error line on stderr and returns exit code 1.
int report(const Status& status);
// Ends the command with this exit code (CLI11 turns it into the return of main).
[[noreturn]] inline void exit_with(int code) { throw CLI::RuntimeError(code); }
// report() then exit_with(1).
[[noreturn]] inline void fail(const Status& status) { exit_with(report(status)); }

}  // namespace medai::cli

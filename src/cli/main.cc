// medai: one executable, thin over the core libraries.
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/crypto.h"

namespace medai::cli {

void ConfigFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--config", config_file, "JSON configuration file")->check(CLI::ExistingFile);
  cmd.add_option("--data-dir", data_dir, "data folder (default ./var; env MEDAI_DATA_DIR)");
}

Result<Config> ConfigFlags::load(ConfigOverrides extra) const {
  ConfigSources sources;
  if (!config_file.empty()) sources.file = config_file;
  sources.flags = std::move(extra);
  if (!data_dir.empty()) sources.flags["data_dir"] = data_dir;
  return load_config(sources);
}

// The environment gives the defaults; an explicit flag wins. Not CLI11's
// envname(): one ServerFlags is shared by sibling subcommands, and CLI11
// 2.1 applies the environment to every subcommand's options, invoked or not,
// so a sibling would overwrite an explicit --token with MEDAI_TOKEN.
void ServerFlags::add_to(CLI::App& cmd) {
  if (const char* s = std::getenv("MEDAI_SERVER"); s && *s) server = s;
  if (const char* t = std::getenv("MEDAI_TOKEN"); t && *t) token = t;
  cmd.add_option("--server", server, "URL of a running medai server (default: $MEDAI_SERVER)")->capture_default_str();
  cmd.add_option("--token", token, "API token (default: $MEDAI_TOKEN)");
}

int report(const Status& status) {
  std::cerr << "medai: error: " << status.message() << " [" << error_code_name(status.code()) << "]";
  if (!status.detail().is_null()) std::cerr << " " << status.detail().dump();
  std::cerr << "\n";
  return 1;
}

}  // namespace medai::cli

int main(int argc, char** argv) {
  medai::crypto::init();
  CLI::App app{"medai — open medical-AI platform"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("medai ") + MEDAI_VERSION);
  medai::cli::add_serve_command(app);
  medai::cli::add_admin_commands(app);
  medai::cli::add_config_commands(app);
  medai::cli::add_client_commands(app);
  medai::cli::add_data_commands(app);
  medai::cli::add_deid_command(app);
  medai::cli::add_dicom_commands(app);
  medai::cli::add_synth_command(app);
  medai::cli::add_app_commands(app);
  medai::cli::add_runtime_commands(app);
  medai::cli::add_job_commands(app);
  medai::cli::add_train_commands(app);
  medai::cli::add_evaluate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

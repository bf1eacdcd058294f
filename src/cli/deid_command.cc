// medai deid: PS3.15 de-identification of DICOM files or folders, offline.
// Output files are named <new SOP Instance UID>.dcm (input names can carry
// PHI); failures are listed per file and the rest still goes through.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/oflog/oflog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "deid/deidentifier.h"
#include "deid/keys.h"
#include "deid/pseudonyms.h"

namespace medai::cli {
namespace {

struct DeidFlags {
  ConfigFlags config;
  std::string in, out, key_file, report_file, project;
  deid::DeidOptions options;
};

Result<std::string> load_key(const DeidFlags& f) {
  if (!f.key_file.empty()) return deid::read_key_file(f.key_file);
  MEDAI_ASSIGN_OR_RETURN(Config config, f.config.load());
  auto key = deid::read_key_file(config.secret_path().string());
  if (!key)
    return make_error(ErrorCode::invalid_argument,
                      "no de-identification key: pass --key-file, or --data-dir of a medai data folder "
                      "(its secret.key is the institution key)");
  return key;
}

std::vector<std::filesystem::path> input_files(const std::filesystem::path& in) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_regular_file(in)) return {in};
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(in, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  return files;
}

void run(const DeidFlags& f) {
  // DCMTK's own parser messages would interleave with ours; each failure is
  // reported once below with its stable code.
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  if (!std::filesystem::exists(f.in))
    fail(make_error(ErrorCode::invalid_argument, "--in does not exist", {{"path", f.in}}));
  auto key = load_key(f);
  if (!key) fail(key.status());
  auto deidentifier = deid::Deidentifier::create(*key, f.options);
  if (!deidentifier) fail(deidentifier.status());
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  if (ec || !std::filesystem::is_directory(f.out))
    fail(make_error(ErrorCode::io_error, "cannot create the output folder", {{"path", f.out}}));

  std::unique_ptr<std::ofstream> report_out;
  if (!f.report_file.empty()) report_out = std::make_unique<std::ofstream>(f.report_file);

  std::map<std::string, int> totals, warnings;
  nlohmann::json failed = nlohmann::json::array();
  int written = 0;
  const auto files = input_files(f.in);
  for (const auto& path : files) {
    auto report = deidentifier->apply_file(path, f.out);
    if (!report) {
      std::cerr << path.string() << ": " << report.status().message() << " ["
                << error_code_name(report.status().code()) << "]\n";
      failed.push_back({{"file", path.string()},
                        {"error", error_code_name(report.status().code())},
                        {"message", report.status().message()}});
      continue;
    }
    ++written;
    for (const auto& [action, n] : report->actions) totals[action] += n;
    for (const auto& w : report->warnings) ++warnings[w.code];
    if (report_out) {
      nlohmann::json line = report->to_json();
      line["input"] = path.string();
      line["output"] = report->output_file;
      *report_out << line.dump() << "\n";
    }
  }
  nlohmann::json summary = {{"files", files.size()},
                            {"written", written},
                            {"failed", failed},
                            {"actions", totals},
                            {"warnings", warnings}};
  std::cout << summary.dump(2) << "\n";
  if (!failed.empty()) exit_with(1);
}

}  // namespace

void add_deid_command(CLI::App& app) {
  auto f = std::make_shared<DeidFlags>();
  auto* cmd = app.add_subcommand("deid", "De-identify DICOM files (PS3.15 Annex E Basic Profile + options)");
  f->config.add_to(*cmd);
  cmd->add_option("--in", f->in, "DICOM file or folder (searched recursively)")->required();
  cmd->add_option("--out", f->out, "output folder; files are named <new SOP Instance UID>.dcm")->required();
  cmd->add_option(
      "--key-file", f->key_file,
      "institution key: 64 hex characters or >= 32 bytes (default: the data folder's secret.key)");
  cmd->add_option("--project", f->options.project, "project namespace for UIDs, pseudonyms and date offsets");
  cmd->add_option("--report", f->report_file, "write one JSON report per file (JSON lines)");
  cmd->add_flag("--retain-dates-shift", f->options.retain_modified_dates,
                "Retain Longitudinal Temporal Information, Modified Dates: shift dates per patient");
  cmd->add_flag("--retain-full-dates", f->options.retain_full_dates,
                "Retain Longitudinal Temporal Information, Full Dates");
  cmd->add_flag("--retain-patient-characteristics", f->options.retain_patient_characteristics,
                "keep sex, age, size, weight, ...");
  cmd->add_flag("--retain-device-identity", f->options.retain_device_identity,
                "keep station names, serials, ...");
  cmd->add_flag("--retain-institution-identity", f->options.retain_institution_identity,
                "keep institution name and address");
  cmd->add_flag("--retain-uids", f->options.retain_uids, "keep the original UIDs");
  cmd->add_flag("--retain-safe-private", f->options.retain_safe_private,
                "keep private attributes on the safe list (built-in list is empty)");
  cmd->add_flag("--clean-descriptors", f->options.clean_descriptors,
                "keep descriptions with identifying values and long numbers scrubbed");
  cmd->callback([f] { run(*f); });

  // The way back, for the institution only (it needs the institution key):
  // recall, incidental findings, withdrawal of consent.
  auto r = std::make_shared<DeidFlags>();
  auto pseudonym = std::make_shared<std::string>();
  auto* back = app.add_subcommand("reidentify", "Print the original Patient ID behind a medai pseudonym");
  r->config.add_to(*back);
  back->add_option("pseudonym", *pseudonym, "Patient ID of a de-identified object")->required();
  back->add_option("--key-file", r->key_file, "institution key (default: the data folder's secret.key)");
  back->add_option("--project", r->project, "project the pseudonym was made for");
  back->callback([r, pseudonym] {
    auto key = load_key(*r);
    if (!key) fail(key.status());
    auto id = deid::reidentify(*pseudonym, *key, r->project);
    if (!id) fail(id.status());
    std::cout << *id << "\n";
  });
}

}  // namespace medai::cli

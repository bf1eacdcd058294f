// medai dicom echo|push|pull: DIMSE client commands against any DICOM node
// (PACS, modality, another medai), given as AE@host:port. They talk to the
// node directly; no medai server needs to run.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "dimse/dimse_status.h"
#include "dimse/scu.h"

namespace medai::cli {
namespace {

namespace fs = std::filesystem;

struct DicomFlags {
  std::string node;
  std::string calling_ae = "MEDAI";
  int timeout_s = 60;

  void add_to(CLI::App& cmd) {
    cmd.add_option("node", node, "remote node as AE@host:port")->required();
    cmd.add_option("--aet", calling_ae, "our calling AE title")->capture_default_str();
    cmd.add_option("--timeout", timeout_s, "DIMSE timeout in seconds")->capture_default_str()->check(CLI::Range(1, 3600));
  }
  dimse::RemoteNode remote() const {
    auto n = dimse::parse_node(node);
    if (!n) fail(n.status());
    return *n;
  }
  dimse::ScuOptions options() const {
    dimse::ScuOptions o;
    o.calling_ae = calling_ae;
    o.dimse_timeout_s = timeout_s;
    return o;
  }
};

// Files given on the command line; folders are walked recursively (every
// regular file is tried; non-DICOM files are reported, not fatal).
std::vector<fs::path> collect_files(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file()) found.push_back(it->path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(input, ec)) {
      files.emplace_back(input);
    } else {
      fail(make_error(ErrorCode::not_found, "no such file or folder", {{"path", input}}));
    }
  }
  return files;
}

void add_echo(CLI::App& dicom) {
  auto flags = std::make_shared<DicomFlags>();
  auto* cmd = dicom.add_subcommand("echo", "C-ECHO a DICOM node");
  flags->add_to(*cmd);
  cmd->callback([flags] {
    Status s = dimse::echo(flags->remote(), flags->options());
    if (!s) fail(s);
    std::cout << "C-ECHO " << flags->node << ": success\n";
  });
}

void add_push(CLI::App& dicom) {
  auto flags = std::make_shared<DicomFlags>();
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* cmd = dicom.add_subcommand("push", "C-STORE files and folders to a DICOM node");
  flags->add_to(*cmd);
  cmd->add_option("paths", *paths, "DICOM files or folders")->required();
  cmd->callback([flags, paths] {
    auto files = collect_files(*paths);
    if (files.empty()) fail(make_error(ErrorCode::invalid_argument, "no files to send"));
    auto outcomes = dimse::store(flags->remote(), files, flags->options());
    if (!outcomes) fail(outcomes.status());
    int sent = 0, failed = 0;
    for (const auto& o : *outcomes) {
      if (o.status.is_ok()) {
        ++sent;
        continue;
      }
      ++failed;
      std::cerr << "failed: " << o.file.string() << ": " << o.status.message() << " ["
                << error_code_name(o.status.code()) << "]\n";
    }
    std::cout << "sent " << sent << " of " << outcomes->size() << " instances to " << flags->node
              << (failed ? ", " + std::to_string(failed) + " failed" : "") << "\n";
    if (failed) exit_with(2);
  });
}

void add_pull(CLI::App& dicom) {
  auto flags = std::make_shared<DicomFlags>();
  auto study = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto move_dest = std::make_shared<std::string>();
  auto web = std::make_shared<DicomwebPullFlags>();
  auto* cmd = dicom.add_subcommand(
      "pull",
      "retrieve a study from a DICOM node (C-GET, or C-MOVE with --move-dest) or a DICOMweb server (--dicomweb)");
  cmd->add_option("node", flags->node, "remote node as AE@host:port (DIMSE)");
  cmd->add_option("--aet", flags->calling_ae, "our calling AE title")->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_s, "DIMSE timeout in seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--study", *study, "Study Instance UID")->required();
  cmd->add_option("--out", *out, "folder for the retrieved files (C-GET; with --dicomweb: keep the files here "
                                 "instead of storing them on the medai server)");
  cmd->add_option("--move-dest", *move_dest,
                  "C-MOVE to this AE title instead of C-GET (the node must know it; e.g. a running medai)");
  web->add_to(*cmd);
  cmd->callback([flags, study, out, move_dest, web] {
    if (!web->url.empty()) {
      if (!flags->node.empty() || !move_dest->empty())
        fail(make_error(ErrorCode::invalid_argument, "--dicomweb replaces the DIMSE node and --move-dest"));
      if (int rc = run_dicomweb_pull(*web, *study, *out); rc != 0) exit_with(rc);
      return;
    }
    if (flags->node.empty()) fail(make_error(ErrorCode::invalid_argument, "a node (AE@host:port) or --dicomweb URL is required"));
    DcmDataset keys;
    keys.putAndInsertString(DCM_StudyInstanceUID, study->c_str());
    Result<dimse::RetrieveSummary> summary = make_error(ErrorCode::internal, "not run");
    if (!move_dest->empty()) {
      summary = dimse::move(flags->remote(), dimse::QueryModel::study_root, dimse::QueryLevel::study, keys,
                            *move_dest, flags->options());
    } else {
      if (out->empty()) fail(make_error(ErrorCode::invalid_argument, "--out is required for C-GET"));
      summary = dimse::get(flags->remote(), dimse::QueryModel::study_root, dimse::QueryLevel::study, keys, *out,
                           flags->options());
    }
    if (!summary) fail(summary.status());
    std::cout << (move_dest->empty() ? "C-GET" : "C-MOVE") << " " << dimse::status_hex(summary->final_status)
              << ": " << summary->completed << " completed, " << summary->failed << " failed, " << summary->warning
              << " warning";
    if (move_dest->empty()) std::cout << "; " << summary->files.size() << " files in " << *out;
    std::cout << "\n";
    if (summary->failed > 0) exit_with(2);
  });
}

}  // namespace

void add_dicom_commands(CLI::App& app) {
  auto* dicom = app.add_subcommand("dicom", "DICOM networking: echo, push, pull (DIMSE), stow (DICOMweb), remote nodes");
  dicom->require_subcommand(1);
  add_echo(*dicom);
  add_push(*dicom);
  add_pull(*dicom);
  add_dicom_node_commands(*dicom);
  add_stow_command(*dicom);
}

}  // namespace medai::cli

// medai dicom stow PATH...: send files to a DICOMweb server with STOW-RS.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/stow_client.h"

namespace medai::cli {

void add_stow_command(CLI::App& dicom) {
  struct Flags {
    ServerFlags server;
    std::vector<std::string> paths;
    std::string dicomweb;
    std::size_t batch = 50;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = dicom.add_subcommand("stow", "Send DICOM files or folders to a DICOMweb server (STOW-RS)");
  f->server.add_to(*cmd);
  cmd->add_option("paths", f->paths, "files or folders")->required()->check(CLI::ExistingPath);
  cmd->add_option("--dicomweb", f->dicomweb, "DICOMweb root (default: <server>/dicom-web)");
  cmd->add_option("--batch", f->batch, "instances per request (default 50)")->check(CLI::Range(1, 1000));
  cmd->callback([f] {
    std::vector<std::filesystem::path> files;
    for (const auto& p : f->paths)
      for (auto& file : collect_files(p)) files.push_back(std::move(file));
    StowOptions o{f->dicomweb.empty() ? f->server.server + "/dicom-web" : f->dicomweb, f->server.token, f->batch};
    auto results = stow_files(o, files);
    if (!results) fail(results.status());
    std::size_t stored = 0;
    for (const auto& r : *results) {
      if (r.stored) {
        ++stored;
      } else {
        std::cerr << r.file.string() << ": " << r.reason << "\n";
      }
    }
    std::cout << stored << " of " << results->size() << " files stored\n";
    if (stored != results->size()) exit_with(1);
  });
}

}  // namespace medai::cli

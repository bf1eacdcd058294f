// medai dicom pull --dicomweb URL --study UID: copy a study from a DICOMweb
// server (Orthanc, a PACS, another medai) into medai. Retrieve (WADO-RS,
// as stored) into a folder, then send the folder with the STOW-RS client,
// so a pulled study goes through the same validation, tenancy and
// duplicate rules as any other upload. With --out the files are kept there
// and nothing is sent.
#include <iostream>

#include "cli/commands.h"
#include "cli/dicomweb_pull_client.h"
#include "cli/stow_client.h"
#include "core/crypto.h"

namespace medai::cli {

namespace fs = std::filesystem;

void DicomwebPullFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--dicomweb", url, "retrieve over DICOMweb (WADO-RS) from this root, e.g. http://pacs:8042/dicom-web");
  cmd.add_option("--dicomweb-token", source_token, "bearer token for the --dicomweb server");
  server.add_to(cmd);
}

int run_dicomweb_pull(const DicomwebPullFlags& flags, const std::string& study, const std::string& out) {
  const bool keep = !out.empty();
  const fs::path folder = keep ? fs::path(out) : fs::temp_directory_path() / ("medai-pull-" + crypto::random_token(8));
  struct Cleanup {
    fs::path path;
    bool active;
    ~Cleanup() {
      std::error_code ec;
      if (active) fs::remove_all(path, ec);
    }
  } cleanup{folder, !keep};

  auto files = dicomweb_pull_study({flags.url, flags.source_token, study}, folder);
  if (!files) return report(files.status());
  if (keep) {
    std::cout << "retrieved " << files->size() << " instances into " << out << "\n";
    return 0;
  }
  auto results = stow_files({flags.server.server + "/dicom-web", flags.server.token, 50}, *files);
  if (!results) return report(results.status());
  std::size_t stored = 0;
  for (const auto& r : *results) {
    if (r.stored) {
      ++stored;
    } else {
      std::cerr << "instance " << r.file.filename().string() << ": " << r.reason << "\n";
    }
  }
  std::cout << "retrieved " << files->size() << " instances, stored " << stored << " on " << flags.server.server
            << "\n";
  return stored == results->size() ? 0 : 2;
}

}  // namespace medai::cli

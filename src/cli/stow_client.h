#pragma once
// STOW-RS client (PS3.18 10.5) for CLI commands: sends Part 10 files to any
// DICOMweb server (medai, Orthanc, a PACS) as multipart/related requests of
// `batch` instances and reports each file's outcome from the response's
// ReferencedSOPSequence / FailedSOPSequence.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::cli {

struct StowOptions {
  std::string url;    // DICOMweb root, e.g. http://127.0.0.1:8142/dicom-web
  std::string token;  // bearer token ("" for none)
  std::size_t batch = 50;
};

struct StowFileResult {
  std::filesystem::path file;
  std::string sop_instance_uid;
  bool stored = false;
  std::string reason;  // failure reason (code and meaning) when not stored
  std::string study_uid;  // stored: the study the server filed it under (from its Retrieve URL)
};

// Sends every file; a request that fails as a whole (unreachable, 401, 413)
// marks its files failed with the reason and stops (later batches would fail
// the same way).
Result<std::vector<StowFileResult>> stow_files(const StowOptions& options,
                                               const std::vector<std::filesystem::path>& files);

// Files below `path` (or the file itself), sorted: every regular file is a
// candidate; the server decides what is DICOM.
std::vector<std::filesystem::path> collect_files(const std::filesystem::path& path);

}  // namespace medai::cli

#pragma once
// WADO-RS study retrieve client (PS3.18 10.4) for `medai dicom pull
// --dicomweb`: fetches a whole study from any DICOMweb server (Orthanc, a
// PACS, another medai) as multipart/related application/dicom with
// transfer-syntax=* (the instances as stored, no transcoding) and writes
// each part to a folder as a Part 10 file. Storing into medai is then the
// STOW client's job (stow_client.h), so both paths share one upload code.
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::cli {

struct DicomwebPullOptions {
  std::string url;    // DICOMweb root, e.g. http://pacs:8042/dicom-web
  std::string token;  // bearer token for the source ("" for none)
  std::string study_uid;
  long timeout_s = 600;
};

// Writes the study's instances into `out` (created if needed) as
// 000001.dcm, 000002.dcm, ... in response order and returns their paths.
// not_found when the server has no such study (HTTP 404 or an empty
// response), remote_failure for any other non-2xx answer or a body that is
// not multipart/related; unavailable when the server cannot be reached.
// Nothing is left in `out` on failure. The response is spooled to a file in
// `out` (a study can be larger than memory) and removed afterwards.
Result<std::vector<std::filesystem::path>> dicomweb_pull_study(const DicomwebPullOptions& options,
                                                              const std::filesystem::path& out);

}  // namespace medai::cli

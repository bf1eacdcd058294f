#pragma once
// The .medai container: a zip archive (see docs/apps.md). Reading goes
// through dicom/zip_reader.h (libarchive, bomb limits) with links refused and
// names checked; writing uses libarchive too. Archive problems map to the
// package error codes: invalid_package, package_too_large.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::packages {

struct PackageLimits {
  std::uint64_t max_package_bytes = std::uint64_t(2) << 30;        // archive as uploaded
  std::uint64_t max_entries = 1000;                                // files and folders
  std::uint64_t max_uncompressed_bytes = std::uint64_t(4) << 30;   // sum of all files
};

// path -> bytes, in path order (deterministic archives).
using PackageFiles = std::map<std::string, std::string>;

// Reads every file of a package archive. Refuses (invalid_package) damaged
// archives, absolute or '..' paths, links and special files, duplicate
// names; package_too_large past any limit. Folder entries are ignored.
Result<PackageFiles> read_package_archive(std::string_view archive, const PackageLimits& limits);

// Writes `files` as a zip archive (deflate, fixed timestamps so the same
// files give the same bytes).
Result<std::string> write_package_archive(const PackageFiles& files);

}  // namespace medai::packages

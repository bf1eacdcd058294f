#pragma once
// Reading the files of a zip archive (a study zipped by a user for the
// portal upload) with libarchive, with limits against zip bombs: entry
// count, size per entry, total size, and the expansion ratio.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::dicom {

struct ZipLimits {
  std::uint64_t max_entries = 100000;
  std::uint64_t max_entry_bytes = std::uint64_t(2) << 30;  // one instance
  std::uint64_t max_total_bytes = std::uint64_t(16) << 30;
  // Uncompressed/compressed above this (once past 64 MiB) is a zip bomb.
  std::uint64_t max_ratio = 200;
  // Symbolic links, hard links and device files are skipped by default (a
  // study upload); app packages refuse them (invalid_argument).
  bool refuse_links = false;
};

// Calls `on_file(name, bytes)` for every regular file, in archive order;
// stops at the first non-ok Status it returns. invalid_argument for a
// malformed archive, payload_too_large when a limit is hit (nothing more is
// read). Names are the archive's (may contain patient data: never log them).
Status for_each_zip_file(std::string_view archive, const ZipLimits& limits,
                         const std::function<Status(const std::string& name, std::string bytes)>& on_file);

}  // namespace medai::dicom

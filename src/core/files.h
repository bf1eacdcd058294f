#pragma once
// Whole-file reads for the many places that need a file's bytes in memory.
// The error names no path (paths of uploaded or received files may carry
// patient data); callers add context they know to be safe.
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai {

// io_error when the file cannot be opened or read.
Result<std::string> read_file(const std::filesystem::path& path);

// Creates or truncates the file and writes `bytes`; io_error on failure.
Status write_file(const std::filesystem::path& path, std::string_view bytes);

// A scratch folder removed (recursively, errors ignored) however the scope
// ends: unpacked packages, export work folders.
struct ScopedFolder {
  std::filesystem::path path;
  explicit ScopedFolder(std::filesystem::path p) : path(std::move(p)) {}
  ScopedFolder(const ScopedFolder&) = delete;
  ScopedFolder& operator=(const ScopedFolder&) = delete;
  ~ScopedFolder() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

}  // namespace medai

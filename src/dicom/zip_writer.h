#pragma once
// Writing a zip archive (dataset exports, app packages) with libarchive,
// straight to a file: entries are added one at a time so an export of many
// instances never sits in memory. The archive file appears under its final
// name only after close() succeeded (temp file + rename).
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::dicom {

class ZipWriter {
 public:
  enum class Compression { deflate, store };
  // io_error when the temp file cannot be created next to `path`. The
  // compression applies to every entry (libarchive fixes it at open).
  static Result<ZipWriter> create(const std::filesystem::path& path, Compression compression = Compression::deflate);
  ZipWriter(ZipWriter&&) noexcept;
  ZipWriter& operator=(ZipWriter&&) noexcept;
  ~ZipWriter();  // an archive not closed is removed

  // `name`: relative, '/'-separated.
  Status add(std::string_view name, std::string_view bytes);
  Status add_file(std::string_view name, const std::filesystem::path& file);
  Status close();

 private:
  struct Impl;
  explicit ZipWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medai::dicom

#include "dicom/zip_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace medai::dicom {

Status for_each_zip_file(std::string_view data, const ZipLimits& limits,
                         const std::function<Status(const std::string&, std::string)>& on_file) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  if (!a) return make_error(ErrorCode::internal, "cannot allocate an archive reader");
  archive_read_support_format_zip(a.get());
  archive_read_support_filter_none(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK)
    return make_error(ErrorCode::invalid_argument, "the upload is not a readable zip archive");
  std::uint64_t entries = 0, total = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) return Status::ok();
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return make_error(ErrorCode::invalid_argument, "the zip archive is damaged");
    if (++entries > limits.max_entries)
      return make_error(ErrorCode::payload_too_large, "the zip archive has too many entries",
                        {{"max_entries", limits.max_entries}});
    const auto type = archive_entry_filetype(entry);
    if (limits.refuse_links && ((type != AE_IFREG && type != AE_IFDIR) || archive_entry_hardlink(entry) != nullptr))
      return make_error(ErrorCode::invalid_argument, "the zip archive contains a link or special file",
                        {{"reason", "link"}});
    if (type != AE_IFREG) continue;
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name ? raw_name : "";
    // macOS resource forks are not files of the study.
    if (name.rfind("__MACOSX/", 0) == 0) continue;
    std::string bytes;
    if (archive_entry_size_is_set(entry)) {
      const auto declared = static_cast<std::uint64_t>(archive_entry_size(entry));
      if (declared > limits.max_entry_bytes)
        return make_error(ErrorCode::payload_too_large, "a file in the zip archive is too large");
      bytes.reserve(static_cast<std::size_t>(declared));
    }
    char buffer[1 << 16];
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
      if (n < 0) return make_error(ErrorCode::invalid_argument, "a file in the zip archive cannot be decompressed");
      if (n == 0) break;
      bytes.append(buffer, static_cast<std::size_t>(n));
      total += static_cast<std::uint64_t>(n);
      if (bytes.size() > limits.max_entry_bytes)
        return make_error(ErrorCode::payload_too_large, "a file in the zip archive is too large");
      if (total > limits.max_total_bytes || (total > (std::uint64_t(64) << 20) && total / std::max<std::size_t>(data.size(), 1) > limits.max_ratio))
        return make_error(ErrorCode::payload_too_large, "the zip archive expands too much (zip bomb protection)");
    }
    MEDAI_RETURN_IF_ERROR(on_file(name, std::move(bytes)));
  }
}

}  // namespace medai::dicom

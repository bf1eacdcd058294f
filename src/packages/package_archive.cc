#include "packages/package_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "dicom/zip_reader.h"
#include "packages/manifest.h"

namespace medai::packages {

namespace {

// True when the archive ends with a zip End Of Central Directory record whose
// comment reaches exactly the last byte. libarchive would otherwise fall back
// to reading local headers in order, accepting an archive cut short after
// its last file; a package must arrive whole.
bool ends_with_central_directory(std::string_view a) {
  constexpr std::size_t kEocd = 22;
  if (a.size() < kEocd) return false;
  const std::size_t lowest = a.size() > kEocd + 0xffff ? a.size() - kEocd - 0xffff : 0;
  for (std::size_t p = a.size() - kEocd + 1; p-- > lowest;) {
    if (a.compare(p, 4, "PK\x05\x06") != 0) continue;
    const auto comment = static_cast<std::size_t>(static_cast<unsigned char>(a[p + 20])) |
                         static_cast<std::size_t>(static_cast<unsigned char>(a[p + 21])) << 8;
    return p + kEocd + comment == a.size();
  }
  return false;
}

}  // namespace

Result<PackageFiles> read_package_archive(std::string_view archive, const PackageLimits& limits) {
  if (archive.size() > limits.max_package_bytes)
    return make_error(ErrorCode::package_too_large, "the package exceeds the size limit",
                      {{"limit_bytes", limits.max_package_bytes}, {"size_bytes", archive.size()}});
  if (!ends_with_central_directory(archive))
    return make_error(ErrorCode::invalid_package,
                      "the package is not a complete zip archive (no end of central directory record)");
  dicom::ZipLimits zip;
  zip.max_entries = limits.max_entries;
  zip.max_entry_bytes = limits.max_uncompressed_bytes;
  zip.max_total_bytes = limits.max_uncompressed_bytes;
  zip.refuse_links = true;
  PackageFiles files;
  Status inner;  // our own refusal from inside the callback, kept with its code
  Status s = dicom::for_each_zip_file(archive, zip, [&](const std::string& name, std::string bytes) -> Status {
    if (!is_safe_package_path(name)) {
      inner = make_error(ErrorCode::invalid_package,
                         "the package has a file with an unsafe path (absolute, '..', empty segment or control "
                         "character)");
      return inner;
    }
    if (!files.emplace(name, std::move(bytes)).second) {
      inner = make_error(ErrorCode::invalid_package, "the package has two files with the same path",
                         {{"path", name}});
      return inner;
    }
    return Status::ok();
  });
  if (s.is_ok()) return files;
  if (!inner.is_ok()) return inner;
  switch (s.code()) {
    case ErrorCode::payload_too_large:
      return make_error(ErrorCode::package_too_large, "the package exceeds an entry or size limit: " + s.message(),
                        {{"max_entries", limits.max_entries}, {"max_uncompressed_bytes", limits.max_uncompressed_bytes}});
    case ErrorCode::invalid_argument:
      return make_error(ErrorCode::invalid_package,
                        "the package is not an acceptable zip archive: " + s.message(), s.detail());
    default:
      return s;
  }
}

namespace {
la_ssize_t append_to_string(archive*, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}
}  // namespace

Result<std::string> write_package_archive(const PackageFiles& files) {
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  if (!a) return make_error(ErrorCode::internal, "cannot allocate an archive writer");
  archive_write_set_format_zip(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);  // no padding after the central directory
  if (archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK)
    return make_error(ErrorCode::internal, std::string("cannot write the archive: ") + archive_error_string(a.get()));
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  for (const auto& [path, bytes] : files) {
    if (!is_safe_package_path(path))
      return make_error(ErrorCode::invalid_argument, "unsafe path for a package file", {{"path", path}});
    archive_entry_clear(entry.get());
    archive_entry_set_pathname(entry.get(), path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_mtime(entry.get(), 1577836800, 0);  // 2020-01-01: reproducible archives
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
        (!bytes.empty() && archive_write_data(a.get(), bytes.data(), bytes.size()) < 0))
      return make_error(ErrorCode::internal, std::string("cannot write the archive: ") + archive_error_string(a.get()));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return make_error(ErrorCode::internal, std::string("cannot finish the archive: ") + archive_error_string(a.get()));
  return out;
}

}  // namespace medai::packages

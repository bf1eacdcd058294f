#include "dicom/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <iterator>

#include "core/ids.h"

namespace medai::dicom {

struct ZipWriter::Impl {
  std::filesystem::path path;
  std::filesystem::path temp;
  archive* ar = nullptr;
  bool closed = false;
  ~Impl() {
    if (ar) archive_write_free(ar);
    if (!closed) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
    }
  }
};

ZipWriter::ZipWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZipWriter::ZipWriter(ZipWriter&&) noexcept = default;
ZipWriter& ZipWriter::operator=(ZipWriter&&) noexcept = default;
ZipWriter::~ZipWriter() = default;

Result<ZipWriter> ZipWriter::create(const std::filesystem::path& path, Compression compression) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->temp = path;
  impl->temp += ".part-" + new_id("z");
  impl->ar = archive_write_new();
  if (impl->ar == nullptr || archive_write_set_format_zip(impl->ar) != ARCHIVE_OK ||
      archive_write_set_format_option(impl->ar, "zip", "compression",
                                      compression == Compression::store ? "store" : "deflate") != ARCHIVE_OK ||
      archive_write_open_filename(impl->ar, impl->temp.c_str()) != ARCHIVE_OK)
    return make_error(ErrorCode::io_error, "cannot create the archive file");
  return ZipWriter(std::move(impl));
}

Status ZipWriter::add(std::string_view name, std::string_view bytes) {
  if (!impl_ || impl_->closed) return make_error(ErrorCode::internal, "archive already closed");
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "archive entry names must be relative");
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, std::string(name).c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
  bool ok = archive_write_header(impl_->ar, entry) == ARCHIVE_OK;
  archive_entry_free(entry);
  if (ok && !bytes.empty())
    ok = archive_write_data(impl_->ar, bytes.data(), bytes.size()) == static_cast<la_ssize_t>(bytes.size());
  if (!ok) {
    const char* why = archive_error_string(impl_->ar);
    return make_error(ErrorCode::io_error, std::string("cannot write to the archive: ") + (why ? why : "unknown"));
  }
  return Status::ok();
}

Status ZipWriter::add_file(std::string_view name, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::io_error, "cannot read a file for the archive");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return add(name, bytes);
}

Status ZipWriter::close() {
  if (!impl_ || impl_->closed) return Status::ok();
  const bool ok = archive_write_close(impl_->ar) == ARCHIVE_OK;
  archive_write_free(impl_->ar);
  impl_->ar = nullptr;
  if (!ok) return make_error(ErrorCode::io_error, "cannot finish the archive");
  std::error_code ec;
  std::filesystem::rename(impl_->temp, impl_->path, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot move the archive into place");
  impl_->closed = true;
  return Status::ok();
}

}  // namespace medai::dicom

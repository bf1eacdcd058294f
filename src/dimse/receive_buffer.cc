#include "dimse/receive_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

namespace medai::dimse {

ReceiveBuffer::ReceiveBuffer(std::filesystem::path fallback_dir) : fallback_dir_(std::move(fallback_dir)) {}

ReceiveBuffer::~ReceiveBuffer() {
  unmap();
  if (fd_ >= 0) ::close(fd_);
  std::error_code ec;
  if (!fallback_file_.empty()) std::filesystem::remove(fallback_file_, ec);
}

void ReceiveBuffer::unmap() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

Result<std::filesystem::path> ReceiveBuffer::prepare() {
  unmap();
  if (fd_ < 0 && fallback_file_.empty()) {
    fd_ = ::memfd_create("medai-dimse-rx", MFD_CLOEXEC);
    if (fd_ < 0) fallback_file_ = fallback_dir_ / ("rx-" + crypto::to_hex(crypto::random_bytes(12)) + ".dcm");
  }
  if (fd_ >= 0) {
    if (::ftruncate(fd_, 0) != 0) return make_error(ErrorCode::io_error, "cannot reset the receive buffer");
    return std::filesystem::path("/proc/self/fd") / std::to_string(fd_);
  }
  return fallback_file_;
}

Result<std::string_view> ReceiveBuffer::bytes() {
  unmap();
  int fd = fd_;
  if (fd < 0) {
    fd = ::open(fallback_file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(ErrorCode::io_error, "cannot open the received instance");
  }
  struct stat st {};
  const bool ok = ::fstat(fd, &st) == 0;
  if (ok && st.st_size > 0) {
    map_ = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (map_ == MAP_FAILED) map_ = nullptr;
    else map_size_ = static_cast<std::size_t>(st.st_size);
  }
  if (fd != fd_) ::close(fd);
  if (!ok || (st.st_size > 0 && map_ == nullptr))
    return make_error(ErrorCode::io_error, "cannot read the received instance");
  return std::string_view(static_cast<const char*>(map_), map_size_);
}

void ReceiveBuffer::release() {
  unmap();
  if (fd_ >= 0) {
    (void)::ftruncate(fd_, 0);
  } else if (!fallback_file_.empty()) {
    std::error_code ec;
    std::filesystem::remove(fallback_file_, ec);
  }
}

}  // namespace medai::dimse

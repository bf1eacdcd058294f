#pragma once
// Where a C-STORE's data set lands while it is received: an anonymous
// in-memory file (memfd), reused for every instance of an association.
//
// DCMTK writes a received data set, with its File Meta Information, to a
// file it opens by name (DIMSE_createFilestream): bit-preserving, no
// re-encoding. Giving it /proc/self/fd/N of a memfd keeps that exactness
// without a file system round trip per instance (create, write, read back,
// unlink: about a third of the server's CPU time per instance on ext4, see
// docs/benchmarks.md). The instance's bytes are then read in place (mmap).
// Memory held is the largest instance received so far on the association;
// where memfd is unavailable a file in `fallback_dir` is used instead.
#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace medai::dimse {

class ReceiveBuffer {
 public:
  explicit ReceiveBuffer(std::filesystem::path fallback_dir);
  ~ReceiveBuffer();
  ReceiveBuffer(const ReceiveBuffer&) = delete;
  ReceiveBuffer& operator=(const ReceiveBuffer&) = delete;

  // The name DCMTK opens (truncating) for the next instance.
  Result<std::filesystem::path> prepare();
  // What was written since prepare(); valid until the next prepare() or release().
  Result<std::string_view> bytes();
  // Drops the mapping and the content (the memory goes back at once).
  void release();

 private:
  void unmap();
  std::filesystem::path fallback_dir_;
  std::filesystem::path fallback_file_;
  int fd_ = -1;
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
};

}  // namespace medai::dimse

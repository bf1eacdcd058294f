#pragma once
// Content-addressed blob store on a local (or shared) directory.
// A blob's name is the SHA-256 of its bytes (lower-case hex). Writes go to a
// temporary file, are fsynced, then renamed into place and the directory is
// fsynced, so a crash never leaves a partial file under a final name; writing
// bytes that already exist is a no-op success.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace medai::storage {

struct BlobRef {
  std::string sha256;  // 64 lower-case hex digits
  std::uint64_t size = 0;
};

class BlobStore;

// Streams a blob in chunks (large uploads), hashing as it goes.
class BlobWriter {
 public:
  ~BlobWriter();  // discards the temporary file unless committed
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) noexcept;
  Status write(std::string_view chunk);
  // Publishes the blob under its hash (fsync + rename + directory fsync).
  Result<BlobRef> commit();

 private:
  friend class BlobStore;
  struct Impl;
  explicit BlobWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A blob written before its hash is known, with its file sync already under
// way on a helper thread: the caller validates (parses) the bytes meanwhile,
// then BlobStore::commit() hashes and publishes it. Destroyed uncommitted
// (the bytes were refused), it waits for the sync and removes the file.
class StagedBlob {
 public:
  ~StagedBlob();
  StagedBlob(const StagedBlob&) = delete;
  StagedBlob& operator=(const StagedBlob&) = delete;

 private:
  friend class BlobStore;
  StagedBlob(std::string_view bytes, BlobWriter writer);
  Status wait_for_sync();
  std::string_view bytes_;
  BlobWriter writer_;
  std::thread sync_;
  int sync_errno_ = 0;
};

class BlobStore {
 public:
  // Creates root (and its tmp/ folder) if needed; removes stale temp files.
  static Result<BlobStore> open(const std::filesystem::path& root);

  Result<BlobRef> put(std::string_view bytes);
  Result<BlobRef> put_file(const std::filesystem::path& source);
  // Stores many blobs with one durability barrier for the whole batch
  // instead of two fsyncs per blob: temp files are written, the file system
  // is synced once (syncfs), all are renamed into place, and it is synced
  // again. Same guarantees as put() for every blob once this returns ok; on
  // error some blobs may exist (content-addressed, so harmless to keep).
  Result<std::vector<BlobRef>> put_batch(const std::vector<std::string_view>& items);
  // One blob in two steps, so the disk syncs it while the caller parses
  // (a C-STORE): stage() writes the file and starts its sync; commit() hashes
  // it and moves it into place with put()'s guarantees. `bytes` must stay
  // valid until commit(). Content already stored costs a wasted write.
  Result<std::unique_ptr<StagedBlob>> stage(std::string_view bytes);
  Result<BlobRef> commit(StagedBlob& staged);
  Result<BlobWriter> writer();

  bool exists(std::string_view sha256) const;
  Result<std::string> read(std::string_view sha256) const;
  // Path of a stored blob (for zero-copy serving); not_found if absent.
  Result<std::filesystem::path> path_of(std::string_view sha256) const;
  Status remove(std::string_view sha256);
  const std::filesystem::path& root() const { return root_; }

 private:
  explicit BlobStore(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path final_path(std::string_view sha256) const;
  std::filesystem::path root_;
};

}  // namespace medai::storage

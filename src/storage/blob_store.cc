// Content-addressed blob store. Crash safety comes from the order of
// operations: bytes go to a uniquely named temp file, which is fsynced, then
// renamed under its hash, then the directory is fsynced. A reader therefore
// sees either no blob or the complete one, never a prefix.
//
// Temp files are flock()ed by their writer for their whole life. open()
// deletes only temp files it can lock, i.e. whose writer is gone (the kernel
// drops the lock when a process dies), so several processes may share a root
// without one deleting another's upload in progress.
#include "storage/blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "core/parallel.h"

namespace medai::storage {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kCopyChunk = 1 << 20;
constexpr const char* kTempPrefix = "blob-";
constexpr mode_t kFileMode = 0640;  // blobs hold patient data

Status errno_status(std::string_view what, int err) {
  return make_error(err == ENOENT ? ErrorCode::not_found : ErrorCode::io_error,
                    std::string(what) + ": " + std::strerror(err));
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Rejects anything but 64 lower-case hex digits before it reaches a path
// (this is what keeps "../../etc/passwd" out of the file system).
Status validate_sha256(std::string_view sha256) {
  if (is_sha256_hex(sha256)) return Status::ok();
  return make_error(ErrorCode::invalid_argument,
                    "blob name must be 64 lower-case hexadecimal digits (SHA-256)");
}

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(n * 2, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    hex[2 * i] = kHex[data[i] >> 4];
    hex[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return hex;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Where the blob with this hash lives: two levels of folders by its first bytes.
fs::path blob_path(const fs::path& root, std::string_view sha256) {
  return root / "sha256" / sha256.substr(0, 2) / sha256.substr(2, 2) / sha256;
}

Status fsync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return errno_status("cannot open blob folder for fsync", errno);
  if (::fsync(fd.get()) != 0) return errno_status("cannot fsync blob folder", errno);
  return Status::ok();
}

Status write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot write blob temp file", errno);
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return Status::ok();
}

std::string unique_temp_name() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s%ld-%016llx-%llu", kTempPrefix, static_cast<long>(::getpid()),
                static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return buf;
}

struct DigestDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using DigestCtx = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

Result<DigestCtx> new_sha256() {
  DigestCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return make_error(ErrorCode::internal, "cannot initialise SHA-256");
  return ctx;
}

Result<std::string> sha256_of(std::string_view bytes) {
  MEDAI_ASSIGN_OR_RETURN(DigestCtx ctx, new_sha256());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1)
    return make_error(ErrorCode::internal, "SHA-256 failed");
  return to_hex(digest, len);
}

}  // namespace

struct BlobWriter::Impl {
  fs::path root;
  fs::path temp_path;
  Fd fd;  // holds the flock that marks the temp file as alive
  DigestCtx digest;
  std::uint64_t size = 0;
  bool done = false;  // committed or failed; the temp file is gone

  ~Impl() { discard(); }

  void discard() {
    if (!done && !temp_path.empty()) ::unlink(temp_path.c_str());
    fd.reset();
    done = true;
  }

  Status fail(Status s) {
    discard();
    return s;
  }

  // Moves the written temp file into place at `target`: makes its folders
  // (a new folder is synced into its parent while `file_synced` waits for
  // the file's own sync: both wait on the disk together), renames, syncs
  // the folder.
  Status publish(const fs::path& target, const std::function<Status()>& file_synced) {
    std::vector<fs::path> new_dirs_parents;  // folders whose new entries must be synced
    for (const fs::path& dir : {target.parent_path().parent_path(), target.parent_path()}) {
      if (::mkdir(dir.c_str(), 0750) == 0) new_dirs_parents.push_back(dir.parent_path());
      else if (errno != EEXIST) return errno_status("cannot create blob folder", errno);
    }
    Status dirs;
    std::thread sync_dirs;
    if (!new_dirs_parents.empty())
      sync_dirs = std::thread([&] {
        for (const auto& d : new_dirs_parents)
          if (dirs.is_ok()) dirs = fsync_dir(d);
      });
    const Status file = file_synced();
    if (sync_dirs.joinable()) sync_dirs.join();
    MEDAI_RETURN_IF_ERROR(file);
    MEDAI_RETURN_IF_ERROR(dirs);
    if (::rename(temp_path.c_str(), target.c_str()) != 0) return errno_status("cannot move blob into place", errno);
    done = true;  // the temp name no longer exists
    fd.reset();
    return fsync_dir(target.parent_path());
  }

  Status fsync_file() {
    if (::fsync(fd.get()) != 0) return errno_status("cannot fsync blob temp file", errno);
    return Status::ok();
  }
};

BlobWriter::BlobWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BlobWriter::~BlobWriter() = default;
BlobWriter::BlobWriter(BlobWriter&&) noexcept = default;
BlobWriter& BlobWriter::operator=(BlobWriter&&) noexcept = default;

Status BlobWriter::write(std::string_view chunk) {
  if (!impl_ || impl_->done)
    return make_error(ErrorCode::internal, "blob writer already committed or failed");
  if (EVP_DigestUpdate(impl_->digest.get(), chunk.data(), chunk.size()) != 1)
    return impl_->fail(make_error(ErrorCode::internal, "SHA-256 failed"));
  Status s = write_all(impl_->fd.get(), chunk.data(), chunk.size());
  if (!s.is_ok()) return impl_->fail(std::move(s));
  impl_->size += chunk.size();
  return Status::ok();
}

Result<BlobRef> BlobWriter::commit() {
  if (!impl_ || impl_->done)
    return make_error(ErrorCode::internal, "blob writer already committed or failed");
  Impl& w = *impl_;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(w.digest.get(), digest, &len) != 1)
    return w.fail(make_error(ErrorCode::internal, "SHA-256 failed"));
  BlobRef ref{to_hex(digest, len), w.size};
  const fs::path final_path = blob_path(w.root, ref.sha256);
  // Same name means same bytes, so an existing blob of the right size is
  // kept and the copy dropped. A size mismatch means the stored file is
  // damaged: replace it with the verified bytes.
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == w.size) {
    w.discard();
    return ref;
  }
  if (Status s = w.publish(final_path, [&] { return w.fsync_file(); }); !s.is_ok()) return w.fail(std::move(s));
  return ref;
}

Result<BlobStore> BlobStore::open(const fs::path& root) {
  if (root.empty()) return make_error(ErrorCode::invalid_argument, "blob store root is empty");
  std::error_code ec;
  fs::create_directories(root / "sha256", ec);
  if (!ec) fs::create_directories(root / "tmp", ec);
  if (ec)
    return make_error(ErrorCode::io_error,
                      "cannot create blob store at " + root.string() + ": " + ec.message());

  // Remove temp files whose writer is gone (unlocked). Unlinking while
  // holding the lock, and writers checking st_nlink after locking, closes the
  // race with a writer that has just created its file.
  for (fs::directory_iterator it(root / "tmp", ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    if (path.filename().string().rfind(kTempPrefix, 0) != 0) continue;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live writer
    ::unlink(path.c_str());
  }
  if (ec)
    return make_error(ErrorCode::io_error,
                      "cannot list blob temp folder under " + root.string() + ": " + ec.message());
  return BlobStore(root);
}

Result<BlobWriter> BlobStore::writer() {
  auto impl = std::make_unique<BlobWriter::Impl>();
  impl->root = root_;
  MEDAI_ASSIGN_OR_RETURN(impl->digest, new_sha256());
  // A fresh name is retried only in the rare race with open()'s cleaner.
  for (int attempt = 0; attempt < 8; ++attempt) {
    fs::path temp = root_ / "tmp" / unique_temp_name();
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode));
    if (!fd) {
      if (errno == EEXIST) continue;
      return errno_status("cannot create blob temp file", errno);
    }
    struct stat st {};
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 || ::fstat(fd.get(), &st) != 0 ||
        st.st_nlink == 0)
      continue;  // a cleaner got there first and unlinks (or has unlinked) it
    impl->temp_path = std::move(temp);
    impl->fd = std::move(fd);
    return BlobWriter(std::move(impl));
  }
  return make_error(ErrorCode::io_error, "cannot create a unique blob temp file");
}

Result<BlobRef> BlobStore::put(std::string_view bytes) {
  // Hash first: storing bytes that are already there then costs no write
  // and no fsync (re-sent studies are common).
  MEDAI_ASSIGN_OR_RETURN(std::string sha, sha256_of(bytes));
  struct stat st {};
  if (::stat(final_path(sha).c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == bytes.size())
    return BlobRef{std::move(sha), bytes.size()};
  MEDAI_ASSIGN_OR_RETURN(BlobWriter w, writer());
  MEDAI_RETURN_IF_ERROR(w.write(bytes));
  return w.commit();
}

Result<BlobRef> BlobStore::put_file(const fs::path& source) {
  // The source path is not put in messages: caller-chosen names may identify
  // a patient.
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return errno_status("cannot open source file", errno);
  MEDAI_ASSIGN_OR_RETURN(BlobWriter w, writer());
  std::vector<char> buf(kCopyChunk);
  for (;;) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot read source file", errno);
    }
    if (n == 0) break;
    MEDAI_RETURN_IF_ERROR(w.write(std::string_view(buf.data(), static_cast<std::size_t>(n))));
  }
  return w.commit();
}

Result<std::vector<BlobRef>> BlobStore::put_batch(const std::vector<std::string_view>& items) {
  std::vector<BlobRef> refs(items.size());
  // Hashing and writing the temp files are most of ingest's CPU time: a
  // batch (a STOW request) spreads them over the cores.
  const int threads = items.size() > 1 ? static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u)) : 1;
  std::vector<Status> errors(items.size());
  parallel_for(items.size(), threads, [&](std::size_t i) {
    auto sha = sha256_of(items[i]);
    if (!sha) errors[i] = sha.status();
    else refs[i] = BlobRef{std::move(*sha), items[i].size()};
  });
  for (const auto& e : errors) MEDAI_RETURN_IF_ERROR(e);
  // What to write: not stored yet, and once per content within the batch.
  std::vector<std::size_t> to_write;
  std::vector<std::string> finals;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string target = final_path(refs[i].sha256).string();
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == items[i].size()) continue;
    if (std::find(finals.begin(), finals.end(), target) != finals.end()) continue;
    to_write.push_back(i);
    finals.push_back(std::move(target));
  }
  if (to_write.empty()) return refs;
  std::vector<std::optional<BlobWriter>> pending(to_write.size());
  std::vector<Status> write_errors(to_write.size());
  parallel_for(to_write.size(), threads, [&](std::size_t k) {
    auto w = writer();
    if (!w) {
      write_errors[k] = w.status();
      return;
    }
    const std::string_view bytes = items[to_write[k]];
    write_errors[k] = write_all(w->impl_->fd.get(), bytes.data(), bytes.size());
    pending[k].emplace(std::move(*w));
  });
  for (const auto& e : write_errors) MEDAI_RETURN_IF_ERROR(e);  // the writers remove their temp files
  if (pending.size() == 1) {
    // One new blob (a one-instance request): syncing this file and its
    // folder is cheaper than syncfs, which would also flush unrelated data.
    BlobWriter::Impl& w = *pending.front()->impl_;
    MEDAI_RETURN_IF_ERROR(w.publish(finals.front(), [&] { return w.fsync_file(); }));
    return refs;
  }
  // One barrier for the data and inodes of every temp file.
  if (::syncfs(pending.front()->impl_->fd.get()) != 0) return errno_status("cannot sync the blob store", errno);
  for (std::size_t k = 0; k < pending.size(); ++k) {
    BlobWriter::Impl& w = *pending[k]->impl_;
    const fs::path target(finals[k]);
    // New folders are made durable by the syncfs below, not one by one.
    for (const fs::path& dir : {target.parent_path().parent_path(), target.parent_path()})
      if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno_status("cannot create blob folder", errno);
    if (::rename(w.temp_path.c_str(), target.c_str()) != 0)
      return errno_status("cannot move blob into place", errno);
    w.done = true;
    w.fd.reset();
  }
  // And one for the renames (directory entries).
  Fd root_fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd || ::syncfs(root_fd.get()) != 0) return errno_status("cannot sync the blob store", errno);
  return refs;
}

StagedBlob::StagedBlob(std::string_view bytes, BlobWriter writer) : bytes_(bytes), writer_(std::move(writer)) {}

StagedBlob::~StagedBlob() { (void)wait_for_sync(); }  // the writer then removes an uncommitted file

Status StagedBlob::wait_for_sync() {
  if (sync_.joinable()) sync_.join();
  if (sync_errno_ != 0) return errno_status("cannot fsync blob temp file", sync_errno_);
  return Status::ok();
}

Result<std::unique_ptr<StagedBlob>> BlobStore::stage(std::string_view bytes) {
  MEDAI_ASSIGN_OR_RETURN(BlobWriter w, writer());
  MEDAI_RETURN_IF_ERROR(write_all(w.impl_->fd.get(), bytes.data(), bytes.size()));
  std::unique_ptr<StagedBlob> staged(new StagedBlob(bytes, std::move(w)));
  StagedBlob* s = staged.get();
  s->sync_ = std::thread([s] {
    if (::fsync(s->writer_.impl_->fd.get()) != 0) s->sync_errno_ = errno;
  });
  return staged;
}

Result<BlobRef> BlobStore::commit(StagedBlob& staged) {
  MEDAI_ASSIGN_OR_RETURN(std::string sha, sha256_of(staged.bytes_));
  BlobRef ref{sha, staged.bytes_.size()};
  const fs::path target = final_path(sha);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == ref.size) {
    MEDAI_RETURN_IF_ERROR(staged.wait_for_sync());
    return ref;  // already stored: the staged file is removed with `staged`
  }
  MEDAI_RETURN_IF_ERROR(staged.writer_.impl_->publish(target, [&] { return staged.wait_for_sync(); }));
  return ref;
}

bool BlobStore::exists(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) return false;
  struct stat st {};
  return ::stat(final_path(sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::string> BlobStore::read(std::string_view sha256) const {
  MEDAI_RETURN_IF_ERROR(validate_sha256(sha256));
  Fd fd(::open(final_path(sha256).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return make_error(ErrorCode::not_found, "no such blob");
    return errno_status("cannot open blob", errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_status("cannot stat blob", errno);
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot read blob", errno);
    }
    if (n == 0) return make_error(ErrorCode::io_error, "blob shrank while being read");
    got += static_cast<std::size_t>(n);
  }
  return out;
}

Result<fs::path> BlobStore::path_of(std::string_view sha256) const {
  MEDAI_RETURN_IF_ERROR(validate_sha256(sha256));
  if (!exists(sha256)) return make_error(ErrorCode::not_found, "no such blob");
  return final_path(sha256);
}

Status BlobStore::remove(std::string_view sha256) {
  MEDAI_RETURN_IF_ERROR(validate_sha256(sha256));
  const fs::path path = final_path(sha256);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return make_error(ErrorCode::not_found, "no such blob");
    return errno_status("cannot remove blob", errno);
  }
  // Make the deletion durable too (erasure requests must stick).
  return fsync_dir(path.parent_path());
}

fs::path BlobStore::final_path(std::string_view sha256) const { return blob_path(root_, sha256); }

}  // namespace medai::storage

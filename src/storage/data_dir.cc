#include "storage/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace medai::storage {
namespace {

Result<std::string> load_or_create_secret(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.size() != 64)
      return make_error(ErrorCode::config_error, "the data folder's secret.key is malformed");
    return s;
  }
  const std::string secret = crypto::to_hex(crypto::random_bytes(32));
  const std::string tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return make_error(ErrorCode::io_error, "cannot create the data folder's secret.key");
  const std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(ErrorCode::io_error, "cannot write the data folder's secret.key");
  // Make the rename itself durable: losing the key after a crash would make
  // every pseudonym made with it unmappable.
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return secret;
}

}  // namespace

Result<DataDir> open_data_dir(const Config& config, bool migrate) {
  DataDir dir;
  dir.root = config.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir.root, ec);
  if (ec)
    return make_error(ErrorCode::io_error, "cannot create the data folder " + dir.root.string() + ": " +
                                               ec.message());
  ::chmod(dir.root.c_str(), 0700);  // patient data: owner only
  MEDAI_ASSIGN_OR_RETURN(dir.secret, load_or_create_secret(config.secret_path()));
  SqliteOptions options;
  options.path = config.catalog_path();
  options.migrate_on_open = migrate;
  MEDAI_ASSIGN_OR_RETURN(dir.catalog, open_sqlite_catalog(options));
  MEDAI_ASSIGN_OR_RETURN(BlobStore blobs, BlobStore::open(config.blob_root()));
  dir.blobs = std::make_unique<BlobStore>(std::move(blobs));
  return dir;
}

}  // namespace medai::storage

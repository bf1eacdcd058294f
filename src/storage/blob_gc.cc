#include "storage/blob_gc.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>

namespace medai::storage {

Result<std::size_t> collect_unreferenced_blobs(Catalog& catalog, BlobStore& blobs, std::chrono::seconds min_age) {
  namespace fs = std::filesystem;
  std::string sql;
  for (std::string_view ref : kBlobReferences) {
    const auto dot = ref.find('.');
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT 1 AS x FROM " + std::string(ref.substr(0, dot)) + " WHERE " + std::string(ref.substr(dot + 1)) +
           " = $1";
  }
  std::size_t removed = 0;
  std::error_code ec;
  const auto cutoff = std::chrono::system_clock::now() - min_age;
  for (fs::recursive_directory_iterator it(blobs.root() / "sha256", ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;
    if (std::chrono::system_clock::from_time_t(st.st_mtime) > cutoff) continue;
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(auto ref, tx->query_one(sql + " LIMIT 1", {name}));
    tx.reset();
    if (ref) continue;
    if (blobs.remove(name).is_ok()) ++removed;
  }
  if (ec) return make_error(ErrorCode::io_error, "cannot list the blob store: " + ec.message());
  return removed;
}

}  // namespace medai::storage

#pragma once
// The data folder of one medai instance (./var by default):
//   catalog.sqlite   the embedded catalog (WAL files beside it)
//   blobs/           content-addressed blob store
//   secret.key       per-installation secret (0600): keys PHI masking in logs
//                    and, later, pseudonymisation; never leaves the folder
#include <filesystem>
#include <memory>
#include <string>

#include "core/config.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::storage {

struct DataDir {
  std::filesystem::path root;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<BlobStore> blobs;
  std::string secret;  // 64 hex characters
};

// Creates the folder on first use, opens the catalog (applying migrations
// when `migrate` is true) and the blob store, and loads or creates the secret.
Result<DataDir> open_data_dir(const Config& config, bool migrate = true);

}  // namespace medai::storage

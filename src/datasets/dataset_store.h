#pragma once
// Datasets in the catalog: create (from a table now; from stored studies once
// the DICOM store exists), list, show, freeze, export and delete, each with
// the acting Principal. Tenancy: an institution's datasets are visible to its
// researchers and administrators (and platform admins); "public" datasets
// (reference data from Debian packages) are readable by every researcher.
// Content lives in the blob store; versions are immutable once frozen.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/directory.h"
#include "access/principal.h"
#include "datasets/dataset_model.h"
#include "datasets/tabular_dataset.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::datasets {

struct NewDataset {
  std::string name;         // handle, unique per institution among live datasets
  std::string description;
  std::string visibility = "institution";
  std::string data_use;     // required: what the data may be used for
  std::string licence;      // required
  std::string source;       // provenance
  std::string institution_id;  // empty: the caller's own
};

struct ExportedTable {
  std::string csv;       // the table with a trailing "split" column
  std::int64_t rows = 0;
};

class DatasetStore {
 public:
  // pseudonym_key: the data folder's secret; group (patient) values are
  // replaced by keyed digests on export.
  DatasetStore(storage::Catalog& catalog, storage::BlobStore& blobs, std::string pseudonym_key)
      : catalog_(catalog), blobs_(blobs), pseudonym_key_(std::move(pseudonym_key)) {}

  Result<Dataset> create_tabular(const access::Principal& actor, const NewDataset& in, std::string_view csv,
                                 const TabularSpec& spec);
  // A new draft version (previous versions stay as they are).
  Result<DatasetVersion> add_tabular_version(const access::Principal& actor, const std::string& dataset_id,
                                             std::string_view csv, const TabularSpec& spec);

  Result<std::vector<Dataset>> list(const access::Principal& actor, access::Page page);
  Result<Dataset> get(const access::Principal& actor, const std::string& id);
  Result<std::optional<Dataset>> find(const access::Principal& actor, const std::string& institution_id,
                                      const std::string& name);
  Result<std::vector<DatasetVersion>> versions(const access::Principal& actor, const std::string& id);
  Result<DatasetVersion> get_version(const access::Principal& actor, const std::string& id, std::int64_t version);
  // Draft → frozen; freezing a frozen version is a no-op.
  Result<DatasetVersion> freeze(const access::Principal& actor, const std::string& id, std::int64_t version);
  // De-identified export (audited): group values pseudonymised.
  Result<ExportedTable> export_table(const access::Principal& actor, const std::string& id, std::int64_t version,
                                     std::optional<Split> only = std::nullopt);
  // Marks deleted and drops the items; the audit trail stays.
  Status remove(const access::Principal& actor, const std::string& id);

 private:
  Result<Dataset> load_visible(storage::Transaction& tx, const access::Principal& actor, const std::string& id);
  Result<DatasetVersion> insert_version(storage::Transaction& tx, const access::Principal& actor,
                                        const Dataset& ds, std::int64_t version, const TabularContent& content,
                                        const storage::BlobRef& blob);
  storage::Catalog& catalog_;
  storage::BlobStore& blobs_;
  std::string pseudonym_key_;
};

}  // namespace medai::datasets

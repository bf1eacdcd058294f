#pragma once
// Datasets in the catalog: create (from a table now; from stored studies once
// the DICOM store exists), list, show, freeze, export and delete, each with
// the acting Principal. Tenancy: an institution's datasets are visible to its
// researchers and administrators (and platform admins); "public" datasets
// (reference data from Debian packages) are readable by every researcher.
// Content lives in the blob store; versions are immutable once frozen.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/directory.h"
#include "access/principal.h"
#include "datasets/dataset_model.h"
#include "datasets/imaging_dataset.h"
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

// What a version stores per item, whatever the kind.
struct VersionRows {
  nlohmann::json schema, split, stats;
  struct Item {
    std::string group, label;
    Split split = Split::train;
    std::string ref;  // JSON series reference for imaging items; "" for table rows
  };
  std::vector<Item> items;
};

// What a new version of an imaging dataset is made from; anything left out
// is taken from the latest version (its stored selection, split fractions and
// seed, require_annotations; a label table's labels for the series it had).
struct ImagingVersionSpec {
  std::optional<ImagingSelection> selection;
  std::map<std::string, std::string> labels;  // series or study UID → label, for new series
  std::optional<SplitSpec> split;
  std::optional<bool> require_annotations;
};

struct ImagingExport {
  std::int64_t series = 0;
  std::int64_t instances = 0;
  std::int64_t burned_in_flags = 0;  // instances flagged for burned-in annotation (yes or unknown)
};

struct NiftiExport {
  std::int64_t images = 0;
  std::int64_t label_maps = 0;
  std::int64_t label_errors = 0;  // items with annotations whose label map could not be made
  std::int64_t structures = 0;    // distinct structure names (label values)
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
  // An imaging dataset from stored series of the owning institution
  // (imaging_dataset.h); version 1 is a draft.
  Result<Dataset> create_imaging(const access::Principal& actor, const NewDataset& in, const ImagingSpec& spec);
  // Version n+1 (draft) of an imaging dataset: the selection re-run (or a new
  // one) against what is stored now. Patients of the latest version keep
  // their split; only new patients are assigned. stats.changes reports the
  // series added and removed versus the latest version.
  Result<DatasetVersion> add_imaging_version(const access::Principal& actor, const std::string& dataset_id,
                                             const ImagingVersionSpec& spec);
  // De-identified DICOM export (audited) as a zip at `out`:
  //   <split>/<patient pseudonym>/<study>/<series>/<SOP Instance UID>.dcm for every
  //   image and annotation instance (PS3.15 basic profile with retained
  //   patient characteristics and shifted dates; UIDs remapped consistently
  //   per dataset, so SEG/RTSTRUCT/SR still reference their images), plus
  //   labels.csv (one row per series) and manifest.json.
  Result<ImagingExport> export_imaging(const access::Principal& actor, const std::string& id, std::int64_t version,
                                       std::optional<Split> only, const std::filesystem::path& out);
  // De-identified NIfTI export (audited) as a zip at `out`: volumes and label
  // maps as .nii.gz with labels.json, labels.csv and manifest.json (layout in
  // nifti_export.h).
  Result<NiftiExport> export_nifti(const access::Principal& actor, const std::string& id, std::int64_t version,
                                   std::optional<Split> only, const std::filesystem::path& out);
  // ok when `actor` may create a dataset `in` (role, institution, fields) —
  // for callers that do work (an import) before create_imaging.
  Status check_create(const access::Principal& actor, const NewDataset& in);
  // Records an audit event about datasets of `institution_id` (no patient data in `detail`).
  Status audit(const access::Principal& actor, const std::string& action, const std::string& institution_id,
               nlohmann::json detail);
  // Marks deleted and drops the items; the audit trail stays.
  Status remove(const access::Principal& actor, const std::string& id);

 private:
  struct ExportRows;
  // The items of an imaging version (all, with `only` noted in the audit event "dataset.export").
  Result<ExportRows> export_rows(const access::Principal& actor, const std::string& id, std::int64_t version,
                                 std::optional<Split> only, const char* format);
  Result<Dataset> load_visible(storage::Transaction& tx, const access::Principal& actor, const std::string& id);
  Result<Dataset> insert_dataset(storage::Transaction& tx, const access::Principal& actor, const NewDataset& in,
                                 std::string kind);
  Result<DatasetVersion> insert_version(storage::Transaction& tx, const access::Principal& actor,
                                        const Dataset& ds, std::int64_t version, const VersionRows& content,
                                        const storage::BlobRef& blob);
  storage::Catalog& catalog_;
  storage::BlobStore& blobs_;
  std::string pseudonym_key_;
};

}  // namespace medai::datasets

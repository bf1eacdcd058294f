#pragma once
// Server-side import folders for large collections: a folder below the
// configured `datasets.import_root` is ingested into the DICOM store (the
// same ingest as STOW-RS and C-STORE, so de-identification at ingest and the
// duplicate policy apply) and the studies it held become an imaging dataset.
//
// Tenancy: an institution reads only `<import_root>/<institution id>/…`, so
// one institution cannot import another's files. The requested path is
// relative; absolute paths, `..` components and symbolic links anywhere on
// the way are refused with `forbidden` and detail.reason
// "outside_import_root" / "symlink" (stable); with no import_root configured
// the reason is "import_folders_disabled". Symbolic links inside the folder
// are not followed (each is reported as a failed file). Files that are not
// readable DICOM are reported per file; the rest is used.
// Runs synchronously in the request (see ADR 0015).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "datasets/dataset_store.h"
#include "dicom/instance_store.h"

namespace medai::datasets {

struct FolderImportFailure {
  std::string file;   // path relative to the import folder (the caller's own file names)
  std::string error;  // stable error code, e.g. invalid_dicom
  std::string message;
};

struct FolderImport {
  std::int64_t files = 0, stored = 0, already_present = 0, failed = 0;
  std::vector<FolderImportFailure> failures;  // the first kMaxListedFailures
  std::vector<std::string> study_uids;        // studies of the stored (or already present) instances
};
inline constexpr std::size_t kMaxListedFailures = 1000;

// <root>/<institution_id>/<relative> when it is a directory reached without
// symbolic links and inside the root; errors as above (not_found when the
// folder does not exist).
Result<std::filesystem::path> resolve_import_folder(const std::filesystem::path& root,
                                                    const std::string& institution_id, std::string_view relative);

// Ingests every regular file below `folder` (sorted, in batches); more than
// `max_files` files is refused (payload_too_large) before anything is stored.
Result<FolderImport> ingest_folder(dicom::InstanceStore& store, const std::filesystem::path& folder,
                                   const dicom::IngestContext& context, std::int64_t max_files);

struct FolderDataset {
  Dataset dataset;
  FolderImport import;
};

// The whole operation for POST /api/v1/datasets with source.folder: checks
// that `actor` may create datasets for the institution, ingests the folder,
// then creates the dataset from exactly the studies it held (the selection's
// other filters, if any, still apply). Audited as dataset.import_folder
// (counts, never file names) plus the usual dataset events.
Result<FolderDataset> create_imaging_from_folder(DatasetStore& datasets, dicom::InstanceStore& store,
                                                 const access::Principal& actor, const NewDataset& in,
                                                 ImagingSpec spec, const std::filesystem::path& import_root,
                                                 std::string_view relative, std::int64_t max_files);

}  // namespace medai::datasets

#pragma once
// Writes the de-identified DICOM export of an imaging dataset version (see
// DatasetStore::export_imaging for the layout). Separate from the store so
// the catalog transaction stays short: rows are read first, files after.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "datasets/dataset_store.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::datasets {

struct ExportItem {
  std::int64_t index = 0;
  std::string group;  // patient id (pseudonymised in the archive)
  std::string label;
  Split split = Split::train;
  nlohmann::json ref;  // as stored in dataset_items.ref
};

struct ImagingExportSource {
  std::string institution_id;
  std::string dataset_id;    // de-identification project: UIDs and pseudonyms are stable within it
  std::string deid_secret;   // the data folder's secret (64 hex)
};

Result<ImagingExport> write_imaging_export(storage::Catalog& catalog, const storage::BlobStore& blobs,
                                           const ImagingExportSource& source, const std::vector<ExportItem>& items,
                                           const std::filesystem::path& out);

}  // namespace medai::datasets

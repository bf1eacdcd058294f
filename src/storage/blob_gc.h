#pragma once
// Garbage collection of the blob store: removes blobs that no catalog row
// refers to (left by a crash between "blob durable" and "index committed").
// Every column that holds a blob hash is listed in kBlobReferences (next to
// the migrations that create them), so one module's collector never deletes
// another module's content.
#include <chrono>
#include <cstddef>
#include <string_view>

#include "core/status.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::storage {

// "table.column" of every blob reference in the schema. Add a column here in
// the same change as the migration that creates it.
inline constexpr std::string_view kBlobReferences[] = {
    "dicom_instances.blob_sha256",
    "dataset_versions.content_sha256",
    "app_versions.package_sha256",
    "training_runs.model_sha256",
    "training_runs.last_sha256",
};

// Removes unreferenced blobs older than `min_age` (younger ones may belong to
// an ingest in flight). Returns how many were removed.
Result<std::size_t> collect_unreferenced_blobs(Catalog& catalog, BlobStore& blobs, std::chrono::seconds min_age);

}  // namespace medai::storage

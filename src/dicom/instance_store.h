#pragma once
// The DICOM store: the one core API behind every adapter (DICOMweb STOW/QIDO/
// WADO, DIMSE C-STORE/C-FIND/C-MOVE/C-GET, portal upload). No HTTP or DIMSE
// types here.
//
// Ingest contract (atomic and durable):
//  1. every item is parsed once (DCMTK) and validated; a bad item fails alone;
//  2. the bytes of the good items go to the content-addressed blob store,
//     fsynced, before anything refers to them;
//  3. all index rows of the batch (instances, series, studies, counters,
//     audit) are written in ONE catalog transaction (SQLite WAL,
//     synchronous=FULL), so an item reported stored survives kill -9, and a
//     failed item leaves no row. A crash between 2 and 3 can leave blobs that
//     no row references: collect_garbage() removes those.
//  Duplicates (same SOP Instance UID in the same institution): same bytes →
//  already_present (success, nothing written); different bytes → the
//  configured policy: "reject" (duplicate_instance) or "keep_newest"
//  (replaced). Each duplicate is logged without patient data.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/principal.h"
#include "core/status.h"
#include "dicom/ingest_deid.h"
#include "dicom/parse.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::dicom {

enum class DuplicatePolicy { reject, keep_newest };
Result<DuplicatePolicy> duplicate_policy_from_name(std::string_view name);

// Who sent the data and how. institution_id is the tenant the data is filed
// under (the sender's institution).
struct IngestContext {
  std::string institution_id;
  std::string user_id;     // authenticated user; "" for DIMSE
  std::string calling_ae;  // DIMSE calling AE title; "" otherwise
  std::string protocol;    // "stow" | "dimse" | "upload"
  // STOW-RS POST /studies/{study}: instances of another study are refused.
  std::string required_study_uid;
};

// One item: bytes in memory (not copied; must outlive the call) or a file.
struct IngestItem {
  std::string_view bytes;
  std::filesystem::path file;  // used when bytes is empty
};

enum class IngestOutcome { stored, already_present, replaced, failed };
std::string_view outcome_name(IngestOutcome outcome);

struct IngestResult {
  IngestOutcome outcome = IngestOutcome::failed;
  InstanceKeys keys;  // as far as they could be read (may be empty on failure)
  Status error;       // set when outcome == failed
  std::string blob_sha256;
  std::uint64_t size = 0;
  bool ok() const { return outcome != IngestOutcome::failed; }
};

// A stored instance as retrieve needs it.
struct StoredInstance {
  std::string institution_id;
  std::string study_uid, series_uid, sop_instance_uid, sop_class_uid, transfer_syntax_uid;
  std::optional<std::int64_t> series_number, instance_number, number_of_frames, rows, columns;
  std::string blob_sha256;
  std::uint64_t size = 0;
  std::filesystem::path path;  // the blob file (serve it without copying)
};

// What to retrieve; empty fields widen the selection (study is required).
struct InstanceSelector {
  std::string study_uid;
  std::string series_uid;
  std::string sop_instance_uid;
};

class InstanceStore {
 public:
  InstanceStore(storage::Catalog& catalog, storage::BlobStore& blobs, DuplicatePolicy policy);

  IngestResult ingest(const IngestItem& item, const IngestContext& context);
  // Results in item order. One blob sync pass and one catalog transaction
  // for the whole batch.
  std::vector<IngestResult> ingest_batch(std::span<const IngestItem> items, const IngestContext& context);

  // Instances of a study / series / one instance visible to `who`, ordered by
  // series number, series UID, instance number, SOP Instance UID.
  // not_found when nothing matches. Records a "dicom.retrieve" audit event
  // when `audit_action` is not empty.
  Result<std::vector<StoredInstance>> locate(const access::Principal& who, const InstanceSelector& selector,
                                             std::string_view audit_action = "dicom.retrieve");

  // Deletes blobs that no catalog row refers to (DICOM instances, dataset
  // contents: storage/blob_gc.h) and that are older than `min_age` (so an
  // ingest in flight keeps its blobs). Returns the number removed.
  Result<std::size_t> collect_garbage(std::chrono::seconds min_age = std::chrono::hours(1));

  // Research-only institutions: their instances are de-identified before
  // anything is stored (see ingest_deid.h). Set once at start-up.
  void set_ingest_deidentifier(std::shared_ptr<const IngestDeidentifier> deidentifier) {
    ingest_deid_ = std::move(deidentifier);
  }

  storage::Catalog& catalog() { return catalog_; }
  DuplicatePolicy policy() const { return policy_; }

 private:
  storage::Catalog& catalog_;
  storage::BlobStore& blobs_;
  DuplicatePolicy policy_;
  std::shared_ptr<const IngestDeidentifier> ingest_deid_;
};

}  // namespace medai::dicom

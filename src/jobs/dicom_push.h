#pragma once
// The `dicom.push` job type: C-STORE SCU of stored instances to a registered
// remote node of the job's institution (results back to the PACS).
//
// Input: {"node_id", "study_uid", optional "series_uid", optional
// "sop_instance_uids": [...]}. The node must allow push. The instances are
// sent over as few associations as possible (dimse::store); the result lists
// each instance's outcome. A node that cannot be reached or aborts is a
// retryable failure (the job comes back after the backoff, surviving
// restarts); instances the node refused with a DIMSE failure status fail the
// attempt as remote_failure (retried too: PACS refusals are often transient,
// e.g. storage full). Re-sending an instance is harmless (same SOP Instance
// UID), so each attempt sends the whole selection.
#include "jobs/job_engine.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::dicom {
class InstanceStore;
class RemoteNodes;
}  // namespace medai::dicom

namespace medai::jobs {

struct DicomPushOptions {
  std::string calling_ae = "MEDAI";
  int acse_timeout_s = 30;
  int dimse_timeout_s = 60;
};

// Institution administrators (and platform admins) may submit pushes through
// the API; other modules enqueue them directly.
void register_dicom_push(JobEngine& engine, dicom::InstanceStore& store, dicom::RemoteNodes& nodes,
                         DicomPushOptions options);

}  // namespace medai::jobs

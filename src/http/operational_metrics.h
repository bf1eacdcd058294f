#pragma once
// Operators' gauges on /metrics beside the HTTP ones: jobs per state, and the
// DICOM store's size. Each is one cheap query: jobs GROUP BY state runs on the
// jobs_claim index; the store's COUNT/SUM scans the instance table, so its
// answer is cached (default 30 s) and a scrape never waits on it twice.
#include <chrono>
#include <cstdint>

#include "http/metrics.h"
#include "jobs/job_engine.h"
#include "storage/catalog.h"

namespace medai::http {

// medai_jobs{state="queued|running|succeeded|failed|cancelled"} (gauge).
void add_job_queue_metrics(Metrics& metrics, jobs::JobEngine& jobs);

// medai_store_instances, medai_store_bytes, medai_store_studies (gauges;
// bytes = the stored DICOM files' sizes, before blob de-duplication).
void add_store_metrics(Metrics& metrics, storage::Catalog& catalog,
                       std::chrono::milliseconds cache_for = std::chrono::seconds(30));

}  // namespace medai::http

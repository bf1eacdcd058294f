#pragma once
// Series-complete detection and routing-rule evaluation.
//
// The DICOM store records each series' last arrival time in
// dicom_series_activity (same transaction as the instances). A series is
// complete when nothing arrived for `stable_ms`; then the institution's
// enabled routing rules are evaluated against the series' facts (index rows,
// plus slice geometry read from the stored headers when a rule needs it) and
// each match enqueues its job with idempotency key "<rule id>:<series UID>".
// The series is marked evaluated for the arrival time it saw, so a later
// instance makes it due again (rules that now match fire; those that fired
// already are deduplicated by the key).
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "jobs/job_engine.h"
#include "jobs/routing_rules.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::jobs {

struct DetectorOptions {
  std::int64_t stable_ms = 30000;
  std::int64_t poll_interval_ms = 1000;
  std::int64_t batch = 100;  // series evaluated per pass
};

class SeriesCompleteDetector {
 public:
  SeriesCompleteDetector(storage::Catalog& catalog, storage::BlobStore& blobs, JobEngine& engine,
                         DetectorOptions options);
  ~SeriesCompleteDetector();

  void start();
  void stop();
  // One pass at time `now` (ms): evaluates every due series; returns the
  // number of jobs newly enqueued.
  Result<int> run_once(std::int64_t now);
  // The facts rules see for one series (tests, diagnostics).
  Result<SeriesFacts> series_facts(const std::string& institution_id, const std::string& series_uid,
                                   bool with_geometry);

 private:
  void loop();

  storage::Catalog& catalog_;
  storage::BlobStore& blobs_;
  JobEngine& engine_;
  RoutingRules rules_;
  DetectorOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace medai::jobs

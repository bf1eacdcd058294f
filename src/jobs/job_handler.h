#pragma once
// What a job type implements (the jobs seam of the AI-app contract).
//
// Contract for handlers:
//  - run() is called on a worker thread with the claimed job; it may take as
//    long as it needs, reporting ctx.progress() and checking ctx.cancelled()
//    between steps (a cancelled job should return promptly; its result is
//    discarded and the job ends `cancelled`).
//  - A job may run more than once (retries, a crash mid-way): handlers must
//    be idempotent, e.g. derive output UIDs from the job id and input.
//  - Errors are Status values whose messages never contain patient data;
//    retryable codes (unavailable, remote_failure, too_many_requests,
//    request_timeout, io_error, storage_error, job_interrupted) are retried
//    with exponential backoff while attempts are left; the rest fail the job.
//  - An exception escaping run() is caught and fails the attempt (internal);
//    it never kills the worker.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "jobs/job.h"

namespace medai::jobs {

class JobStore;

class JobContext {
 public:
  JobContext(JobStore& store, std::string job_id, std::string owner, std::int64_t attempt);
  // Records progress (fraction clamped to 0..1). Writes are throttled (at
  // most one catalog write per 200 ms; the latest value is kept).
  void progress(double fraction, std::string_view message);
  // True once cancellation was requested (API, other process) or the engine
  // is shutting down; the handler should stop and return.
  bool cancelled() const { return cancel_requested_.load() || shutting_down_.load(); }
  std::string_view job_id() const { return job_id_; }
  std::int64_t attempt() const { return attempt_; }  // 1 for the first run
  // Sleeps up to `d`, returning early (false) when cancelled.
  bool sleep_for(std::chrono::milliseconds d) const;

  // Engine side.
  void request_cancel() { cancel_requested_.store(true); }
  void request_shutdown() { shutting_down_.store(true); }
  bool cancel_requested() const { return cancel_requested_.load(); }
  bool shutting_down() const { return shutting_down_.load(); }
  void flush_progress();

 private:
  JobStore& store_;
  std::string job_id_, owner_;
  std::int64_t attempt_;
  std::atomic<bool> cancel_requested_{false}, shutting_down_{false};
  std::mutex mu_;
  double pending_fraction_ = 0;
  std::string pending_message_;
  bool pending_ = false;
  std::chrono::steady_clock::time_point last_write_{};
};

class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // The result JSON is stored on the job (keep it small: ids, counts, UIDs).
  virtual Result<nlohmann::json> run(const Job& job, JobContext& ctx) = 0;
};

// Status codes worth another attempt later.
bool is_retryable(ErrorCode code);

}  // namespace medai::jobs

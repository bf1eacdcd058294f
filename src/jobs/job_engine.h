#pragma once
// The job engine: persistent queue in the catalog + N in-process workers.
//
//  - enqueue()/submit() insert a queued job (an idempotency key returns the
//    existing job instead); workers claim due jobs atomically (JobStore),
//    hold a lease renewed by a heartbeat thread, and record the outcome.
//  - Retries: a retryable error re-queues the job at now + backoff
//    (retry_base_ms * 2^(attempt-1), capped at retry_max_ms, ±20% jitter)
//    while attempts < max_attempts; otherwise the job fails.
//  - Cancellation: queued → cancelled at once; running → the handler sees
//    ctx.cancelled() (same process at once, other processes at the next
//    heartbeat) and the job ends cancelled.
//  - Recovery: start() and the heartbeat re-queue running jobs whose lease
//    expired or whose owner process on this host is gone (the interrupted
//    attempt counts). stop() asks running handlers to stop and puts their
//    jobs back in the queue without counting the attempt.
// Principal-taking methods enforce tenancy: a caller sees and acts on its own
// institution's jobs unless platform admin (not_found otherwise).
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "access/principal.h"
#include "core/config.h"
#include "jobs/job.h"
#include "jobs/job_handler.h"
#include "jobs/job_store.h"
#include "storage/catalog.h"

namespace medai::jobs {

struct JobEngineOptions {
  int workers = 2;
  std::int64_t poll_interval_ms = 500;  // idle workers look for due jobs this often
  std::int64_t lease_ms = 60000;        // a running job's lease; renewed every lease_ms / 3
  std::int64_t retry_base_ms = 2000;
  std::int64_t retry_max_ms = 600000;
  std::int64_t default_max_attempts = 5;
};
JobEngineOptions engine_options_from_config(const JobsConfig& config);

// Who may submit a job type through the API.
struct JobTypeOptions {
  bool api_submittable = true;
  std::set<access::Role> submit_roles;  // empty: any authenticated role
};

class JobEngine {
 public:
  JobEngine(storage::Catalog& catalog, JobEngineOptions options);
  ~JobEngine();
  JobEngine(const JobEngine&) = delete;
  JobEngine& operator=(const JobEngine&) = delete;

  // Register before start() (types registered later are claimed too).
  void register_handler(const std::string& type, std::shared_ptr<JobHandler> handler, JobTypeOptions options = {});
  bool has_handler(const std::string& type) const;
  std::vector<std::string> registered_types() const;

  // Recovers orphaned jobs, then starts the workers and the heartbeat.
  Status start();
  // Stops claiming, asks running handlers to stop, re-queues their jobs and
  // joins the threads. Idempotent.
  void stop();

  // System side (routing rules, other modules): no tenancy check.
  Result<EnqueueResult> enqueue(JobRequest request);
  Result<std::optional<Job>> find(const std::string& id) { return store_.get(id); }

  // API side (tenancy and roles enforced).
  Result<EnqueueResult> submit(const access::Principal& who, JobRequest request);
  Result<Job> get(const access::Principal& who, const std::string& id);
  Result<std::vector<Job>> list(const access::Principal& who, JobFilter filter);
  // How many jobs list() would give without paging.
  Result<std::int64_t> count(const access::Principal& who, JobFilter filter);
  // Jobs per state over every institution (operators' /metrics).
  Result<std::vector<std::pair<std::string, std::int64_t>>> count_by_state() { return store_.count_by_state(); }
  Result<Job> cancel(const access::Principal& who, const std::string& id);
  Result<Job> retry(const access::Principal& who, const std::string& id);
  // The job once its version exceeds `after_version` or it is terminal, or
  // as it is when `timeout` passes (long-poll and event streams).
  Result<Job> wait_for_change(const access::Principal& who, const std::string& id, std::int64_t after_version,
                              std::chrono::milliseconds timeout);

  // Called (on the thread that recorded it) each time a job of this process
  // reaches a terminal state: succeeded, failed (no attempts left) or
  // cancelled. Listeners must not throw and must be cheap (enqueue, don't
  // work). Add before start(). At-most-once: a crash between recording the
  // state and the call loses the call (docs/jobs.md, "Events").
  using TerminalListener = std::function<void(const Job&)>;
  void add_terminal_listener(TerminalListener listener);

  const std::string& owner() const { return owner_; }
  const JobEngineOptions& options() const { return options_; }
  JobStore& store() { return store_; }

 private:
  struct Registration {
    std::shared_ptr<JobHandler> handler;
    JobTypeOptions options;
  };
  void worker_loop();
  void heartbeat_loop();
  void run_one(Job job);
  std::int64_t backoff_ms(std::int64_t attempt) const;
  void notify_change();
  void notify_terminal(const std::string& id);
  bool owner_is_dead(const std::string& owner) const;
  Result<Job> visible(const access::Principal& who, const std::string& id);

  storage::Catalog& catalog_;
  JobStore store_;
  JobEngineOptions options_;
  std::string owner_;

  mutable std::mutex mu_;
  std::condition_variable wake_;     // workers: new job or stop
  std::condition_variable changed_;  // waiters: some job changed in this process
  std::uint64_t change_counter_ = 0;
  std::map<std::string, Registration> handlers_;
  std::map<std::string, std::shared_ptr<JobContext>> running_;
  std::vector<TerminalListener> terminal_listeners_;
  bool started_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace medai::jobs

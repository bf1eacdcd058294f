#pragma once
// SQL of the job queue (table `jobs`). Portable SQL ($n placeholders); the
// claim is one UPDATE ... WHERE id = (SELECT ... LIMIT 1) RETURNING in a
// write transaction (SQLite serialises writers; on PostgreSQL the sub-select
// adds FOR UPDATE SKIP LOCKED). Every state change of a running job is
// guarded by the lease owner, so a worker that lost its lease (e.g. it was
// presumed dead and the job re-queued) cannot overwrite the new attempt.
// No tenancy here: callers (JobEngine) check the Principal.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "storage/catalog.h"

namespace medai::jobs {

class JobStore {
 public:
  explicit JobStore(storage::Catalog& catalog) : catalog_(catalog) {}

  // Inserts the job, or returns the existing one with the same
  // (institution, type, idempotency key).
  Result<EnqueueResult> insert(const JobRequest& request, std::int64_t now);
  Result<std::optional<Job>> get(const std::string& id);
  Result<std::vector<Job>> list(const JobFilter& filter);
  // How many jobs match `filter` (limit and offset ignored).
  Result<std::int64_t> count(const JobFilter& filter);
  // Jobs per state, every institution (the /metrics gauge; one GROUP BY on
  // the jobs_claim index). States without jobs are absent.
  Result<std::vector<std::pair<std::string, std::int64_t>>> count_by_state();

  // Claims the most urgent due queued job of one of `types` for `owner`:
  // state running, attempts + 1, lease until now + lease_ms. nullopt when
  // none is due.
  Result<std::optional<Job>> claim(const std::string& owner, const std::set<std::string>& types, std::int64_t now,
                                   std::int64_t lease_ms);
  // Extends the leases of `ids` held by `owner`; returns the ids whose
  // cancellation was requested (from any process).
  Result<std::set<std::string>> renew_leases(const std::string& owner, const std::vector<std::string>& ids,
                                             std::int64_t expires_at);
  Status set_progress(const std::string& id, const std::string& owner, double fraction, const std::string& message,
                      std::int64_t now);
  Status finish_succeeded(const std::string& id, const std::string& owner, const nlohmann::json& result,
                          std::int64_t now);
  // Failed attempt: back to queued at `retry_at` when set, else failed.
  Status finish_failed(const std::string& id, const std::string& owner, const Status& error,
                       std::optional<std::int64_t> retry_at, std::int64_t now);
  Status finish_cancelled(const std::string& id, const std::string& owner, std::int64_t now);
  // Graceful shutdown: running → queued, the interrupted attempt not counted.
  Status release(const std::string& id, const std::string& owner, std::int64_t now);

  // queued → cancelled at once; running → cancel_requested (the worker
  // stops it); terminal → conflict. Returns the job after the change.
  Result<Job> request_cancel(const std::string& id, std::int64_t now);
  // failed | cancelled → queued with a fresh attempt budget; else conflict.
  Result<Job> retry(const std::string& id, std::int64_t now);

  // Re-queues running jobs whose lease expired, or whose owner `is_dead`
  // (same host, process gone). The interrupted attempt stays counted; a job
  // without attempts left becomes failed (job_interrupted). Returns the
  // number of rows changed.
  Result<std::int64_t> recover_orphans(std::int64_t now, const std::function<bool(const std::string&)>& is_dead);

 private:
  storage::Catalog& catalog_;
};

}  // namespace medai::jobs

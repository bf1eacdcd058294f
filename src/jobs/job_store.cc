#include "jobs/job_store.h"

#include "core/ids.h"

namespace medai::jobs {
namespace {

using storage::Params;
using storage::Row;
using storage::Value;

constexpr const char* kColumns =
    "id, type, institution_id, created_by, input, idempotency_key, state, priority, progress, progress_message, "
    "attempts, max_attempts, next_attempt_at, lease_owner, lease_expires_at, cancel_requested, error_code, "
    "error_message, result, version, created_at, started_at, finished_at, updated_at";

nlohmann::json parse_json_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

Job job_of(const Row& r) {
  Job j;
  j.id = r.get_text("id");
  j.type = r.get_text("type");
  j.institution_id = r.get_text("institution_id");
  j.created_by = r.get_text("created_by");
  j.input = parse_json_or_null(r.get_text("input"));
  j.idempotency_key = r.get_optional_text("idempotency_key");
  j.state = state_from_name(r.get_text("state")).value_or(JobState::failed);
  j.priority = r.get_int("priority");
  j.progress = r.get_double("progress");
  j.progress_message = r.get_text("progress_message");
  j.attempts = r.get_int("attempts");
  j.max_attempts = r.get_int("max_attempts");
  j.next_attempt_at = r.get_int("next_attempt_at");
  j.lease_owner = r.get_optional_text("lease_owner");
  j.lease_expires_at = r.get_optional_int("lease_expires_at");
  j.cancel_requested = r.get_int("cancel_requested") != 0;
  j.error_code = r.get_optional_text("error_code");
  j.error_message = r.get_optional_text("error_message");
  j.result = parse_json_or_null(r.get_text("result"));
  j.version = r.get_int("version");
  j.created_at = r.get_int("created_at");
  j.started_at = r.get_optional_int("started_at");
  j.finished_at = r.get_optional_int("finished_at");
  j.updated_at = r.get_int("updated_at");
  return j;
}

// input.study_uid when it is a string, else "" (the study_uid column).
std::string study_of(const nlohmann::json& input) {
  if (input.is_object() && input.contains("study_uid") && input["study_uid"].is_string())
    return input["study_uid"].get<std::string>();
  return {};
}

std::string select_sql(const std::string& where) { return std::string("SELECT ") + kColumns + " FROM jobs " + where; }

Status not_found() { return make_error(ErrorCode::not_found, "no such job"); }

// A guarded update of a running job that matched no row: the lease was lost.
Status lease_lost() {
  return make_error(ErrorCode::conflict, "the job is no longer leased by this worker (re-queued or cancelled)");
}

}  // namespace

Result<EnqueueResult> JobStore::insert(const JobRequest& request, std::int64_t now) {
  EnqueueResult out;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    if (request.idempotency_key) {
      MEDAI_ASSIGN_OR_RETURN(auto existing,
                             tx.query_one(select_sql("WHERE institution_id = $1 AND type = $2 AND idempotency_key = $3"),
                                          {request.institution_id, request.type, *request.idempotency_key}));
      if (existing) {
        out.job = job_of(*existing);
        out.created = false;
        return Status::ok();
      }
    }
    const std::string id = new_id("job");
    MEDAI_RETURN_IF_ERROR(
        tx.exec("INSERT INTO jobs (id, type, institution_id, created_by, input, idempotency_key, state, priority, "
                "attempts, max_attempts, next_attempt_at, created_at, updated_at, seq, study_uid) "
                "VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, 0, $8, $9, $9, $9, "
                "(SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), $10)",
                {id, request.type, request.institution_id, request.created_by, request.input.dump(),
                 request.idempotency_key ? Value(*request.idempotency_key) : Value(nullptr), request.priority,
                 request.max_attempts, now, study_of(request.input)})
            .status());
    MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one(select_sql("WHERE id = $1"), {id}));
    if (!row) return make_error(ErrorCode::internal, "inserted job not readable");
    out.job = job_of(*row);
    out.created = true;
    return Status::ok();
  });
  if (!s) return s;
  return out;
}

Result<std::optional<Job>> JobStore::get(const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one(select_sql("WHERE id = $1"), {id}));
  if (!row) return std::optional<Job>();
  return std::optional<Job>(job_of(*row));
}

namespace {
// WHERE clause and parameters of a filter ($1..$3 the filter, $4… the study
// UIDs); limit and offset are not part of it.
std::string filter_where(const JobFilter& filter, Params& params) {
  params = Params{filter.institution_id.value_or(""),
                  filter.state ? std::string(state_name(*filter.state)) : std::string(), filter.type.value_or("")};
  std::string studies;  // "AND study_uid IN ($4, $5, …)" when asked
  for (const auto& uid : filter.study_uids) {
    params.push_back(uid);
    studies += (studies.empty() ? "" : ", ") + std::string("$") + std::to_string(params.size());
  }
  return "WHERE ($1 = '' OR institution_id = $1) AND ($2 = '' OR state = $2) AND ($3 = '' OR type = $3) " +
         (studies.empty() ? std::string() : "AND study_uid IN (" + studies + ") ");
}
}  // namespace

Result<std::vector<Job>> JobStore::list(const JobFilter& filter) {
  // One statement text for every filter combination ('' = no condition).
  Params params;
  std::string where = filter_where(filter, params) + "ORDER BY created_at DESC, id DESC";
  where += " LIMIT $" + std::to_string(params.size() + 1) + " OFFSET $" + std::to_string(params.size() + 2);
  const Params paging{filter.limit, filter.offset};  // (push_back of a variant trips GCC 12's -Wmaybe-uninitialized)
  params.insert(params.end(), paging.begin(), paging.end());
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(select_sql(where), params));
  std::vector<Job> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(job_of(r));
  return out;
}

Result<std::int64_t> JobStore::count(const JobFilter& filter) {
  Params params;
  const std::string sql = "SELECT COUNT(*) AS n FROM jobs " + filter_where(filter, params);
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one(sql, params));
  return row ? row->get_int("n") : 0;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> JobStore::count_by_state() {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state", {}));
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : rows) out.emplace_back(r.get_text("state"), r.get_int("n"));
  return out;
}

Result<std::optional<Job>> JobStore::claim(const std::string& owner, const std::set<std::string>& types,
                                           std::int64_t now, std::int64_t lease_ms) {
  if (types.empty()) return std::optional<Job>();
  Params params{owner, now + lease_ms, now};
  std::string in;
  for (const auto& t : types) {
    params.push_back(t);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  // The sub-select picks one due job; the UPDATE's state guard makes the
  // claim safe even where the sub-select is not locked (a concurrent claimer
  // then updates no row and simply tries again).
  std::string sql =
      "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_expires_at = $2, "
      "started_at = COALESCE(started_at, $3), updated_at = $3, version = version + 1, progress = 0, "
      "progress_message = '' WHERE state = 'queued' AND id = (SELECT id FROM jobs WHERE state = 'queued' AND "
      "next_attempt_at <= $3 AND type IN (" +
      in + ") ORDER BY priority DESC, next_attempt_at, seq LIMIT 1" +
      (catalog_.dialect() == "postgresql" ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " + kColumns;
  std::optional<Job> out;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx.query(sql, params));
    if (!rows.empty()) out = job_of(rows.front());
    return Status::ok();
  });
  if (!s) return s;
  return out;
}

Result<std::set<std::string>> JobStore::renew_leases(const std::string& owner, const std::vector<std::string>& ids,
                                                     std::int64_t expires_at) {
  std::set<std::string> cancelled;
  if (ids.empty()) return cancelled;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    for (const auto& id : ids) {
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE jobs SET lease_expires_at = $3 WHERE id = $1 AND lease_owner = $2 AND "
                                    "state = 'running'",
                                    {id, owner, expires_at})
                                .status());
      MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT cancel_requested, state, lease_owner FROM jobs WHERE id = $1",
                                                    {id}));
      // Cancelled elsewhere, or the lease was taken away: stop either way.
      if (!row || row->get_int("cancel_requested") != 0 || row->get_text("state") != "running" ||
          row->get_text("lease_owner") != owner)
        cancelled.insert(id);
    }
    return Status::ok();
  });
  if (!s) return s;
  return cancelled;
}

Status JobStore::set_progress(const std::string& id, const std::string& owner, double fraction,
                              const std::string& message, std::int64_t now) {
  return storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto n, tx.exec("UPDATE jobs SET progress = $3, progress_message = $4, updated_at = $5, "
                                           "version = version + 1 WHERE id = $1 AND lease_owner = $2 AND "
                                           "state = 'running'",
                                           {id, owner, fraction, message, now}));
    return n == 1 ? Status::ok() : lease_lost();
  });
}

Status JobStore::finish_succeeded(const std::string& id, const std::string& owner, const nlohmann::json& result,
                                  std::int64_t now) {
  return storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto n,
                           tx.exec("UPDATE jobs SET state = 'succeeded', progress = 1, result = $3, error_code = NULL, "
                                   "error_message = NULL, lease_owner = NULL, lease_expires_at = NULL, finished_at = $4, "
                                   "updated_at = $4, version = version + 1 WHERE id = $1 AND lease_owner = $2 AND "
                                   "state = 'running'",
                                   {id, owner, result.dump(), now}));
    return n == 1 ? Status::ok() : lease_lost();
  });
}

Status JobStore::finish_failed(const std::string& id, const std::string& owner, const Status& error,
                               std::optional<std::int64_t> retry_at, std::int64_t now) {
  const std::string code(error_code_name(error.code()));
  return storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    std::int64_t n = 0;
    if (retry_at) {
      MEDAI_ASSIGN_OR_RETURN(n, tx.exec("UPDATE jobs SET state = 'queued', next_attempt_at = $5, error_code = $3, "
                                        "error_message = $4, lease_owner = NULL, lease_expires_at = NULL, "
                                        "updated_at = $6, version = version + 1 WHERE id = $1 AND lease_owner = $2 "
                                        "AND state = 'running'",
                                        {id, owner, code, error.message(), *retry_at, now}));
    } else {
      MEDAI_ASSIGN_OR_RETURN(n, tx.exec("UPDATE jobs SET state = 'failed', error_code = $3, error_message = $4, "
                                        "lease_owner = NULL, lease_expires_at = NULL, finished_at = $5, "
                                        "updated_at = $5, version = version + 1 WHERE id = $1 AND lease_owner = $2 "
                                        "AND state = 'running'",
                                        {id, owner, code, error.message(), now}));
    }
    return n == 1 ? Status::ok() : lease_lost();
  });
}

Status JobStore::finish_cancelled(const std::string& id, const std::string& owner, std::int64_t now) {
  return storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto n, tx.exec("UPDATE jobs SET state = 'cancelled', lease_owner = NULL, "
                                           "lease_expires_at = NULL, finished_at = $3, updated_at = $3, "
                                           "version = version + 1 WHERE id = $1 AND lease_owner = $2 AND "
                                           "state = 'running'",
                                           {id, owner, now}));
    return n == 1 ? Status::ok() : lease_lost();
  });
}

Status JobStore::release(const std::string& id, const std::string& owner, std::int64_t now) {
  return storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto n, tx.exec("UPDATE jobs SET state = 'queued', attempts = attempts - 1, "
                                           "next_attempt_at = $3, lease_owner = NULL, lease_expires_at = NULL, "
                                           "updated_at = $3, version = version + 1 WHERE id = $1 AND "
                                           "lease_owner = $2 AND state = 'running'",
                                           {id, owner, now}));
    return n == 1 ? Status::ok() : lease_lost();
  });
}

Result<Job> JobStore::request_cancel(const std::string& id, std::int64_t now) {
  std::optional<Job> out;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT state FROM jobs WHERE id = $1", {id}));
    if (!row) return not_found();
    const std::string state = row->get_text("state");
    if (state == "queued") {
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = $2, "
                                    "updated_at = $2, version = version + 1 WHERE id = $1",
                                    {id, now})
                                .status());
    } else if (state == "running") {
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE jobs SET cancel_requested = 1, updated_at = $2, version = version + 1 "
                                    "WHERE id = $1",
                                    {id, now})
                                .status());
    } else {
      return make_error(ErrorCode::conflict, "the job has already finished (" + state + ")", {{"state", state}});
    }
    MEDAI_ASSIGN_OR_RETURN(auto after, tx.query_one(select_sql("WHERE id = $1"), {id}));
    out = job_of(*after);
    return Status::ok();
  });
  if (!s) return s;
  return *out;
}

Result<Job> JobStore::retry(const std::string& id, std::int64_t now) {
  std::optional<Job> out;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT state FROM jobs WHERE id = $1", {id}));
    if (!row) return not_found();
    const std::string state = row->get_text("state");
    if (state != "failed" && state != "cancelled")
      return make_error(ErrorCode::conflict, "only failed or cancelled jobs can be retried (the job is " + state + ")",
                        {{"state", state}});
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE jobs SET state = 'queued', attempts = 0, cancel_requested = 0, "
                                  "next_attempt_at = $2, error_code = NULL, error_message = NULL, progress = 0, "
                                  "progress_message = '', finished_at = NULL, updated_at = $2, version = version + 1 "
                                  "WHERE id = $1",
                                  {id, now})
                              .status());
    MEDAI_ASSIGN_OR_RETURN(auto after, tx.query_one(select_sql("WHERE id = $1"), {id}));
    out = job_of(*after);
    return Status::ok();
  });
  if (!s) return s;
  return *out;
}

Result<std::int64_t> JobStore::recover_orphans(std::int64_t now,
                                               const std::function<bool(const std::string&)>& is_dead) {
  std::int64_t changed = 0;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT id, lease_owner, lease_expires_at, attempts, max_attempts, "
                                               "cancel_requested FROM jobs WHERE state = 'running'"));
    for (const auto& r : rows) {
      const std::string owner = r.get_text("lease_owner");
      const bool expired = r.get_int("lease_expires_at", 0) < now;
      if (!expired && !is_dead(owner)) continue;
      const std::string id = r.get_text("id");
      std::int64_t n = 0;
      if (r.get_int("cancel_requested") != 0) {
        MEDAI_ASSIGN_OR_RETURN(n, tx.exec("UPDATE jobs SET state = 'cancelled', lease_owner = NULL, "
                                          "lease_expires_at = NULL, finished_at = $3, updated_at = $3, "
                                          "version = version + 1 WHERE id = $1 AND lease_owner = $2 AND "
                                          "state = 'running'",
                                          {id, owner, now}));
      } else if (r.get_int("attempts") >= r.get_int("max_attempts")) {
        MEDAI_ASSIGN_OR_RETURN(n, tx.exec("UPDATE jobs SET state = 'failed', error_code = 'job_interrupted', "
                                          "error_message = 'the worker stopped before the job finished and no "
                                          "attempts are left', lease_owner = NULL, lease_expires_at = NULL, "
                                          "finished_at = $3, updated_at = $3, version = version + 1 WHERE id = $1 "
                                          "AND lease_owner = $2 AND state = 'running'",
                                          {id, owner, now}));
      } else {
        MEDAI_ASSIGN_OR_RETURN(n, tx.exec("UPDATE jobs SET state = 'queued', next_attempt_at = $3, "
                                          "error_code = 'job_interrupted', error_message = 'the worker stopped "
                                          "before the job finished; re-queued', lease_owner = NULL, "
                                          "lease_expires_at = NULL, updated_at = $3, version = version + 1 "
                                          "WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
                                          {id, owner, now}));
      }
      changed += n;
    }
    return Status::ok();
  });
  if (!s) return s;
  return changed;
}

}  // namespace medai::jobs

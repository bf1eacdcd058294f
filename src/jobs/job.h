#pragma once
// The job model: one unit of background work persisted in the catalog
// (table `jobs`, migration 0007). States:
//
//   queued ──claim──▶ running ──ok──▶ succeeded
//     ▲  │              │ ├──retryable error, attempts left──▶ queued (next_attempt_at = backoff)
//     │  │cancel        │ ├──other error / no attempts left──▶ failed
//     │  ▼              │ └──cancel requested──▶ cancelled
//   cancelled ◀─────────┘
//   failed/cancelled ──retry (API)──▶ queued
//
// Error codes and messages stored on a job are Status codes and messages that
// never contain patient data (they are shown to every user of the tenant).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace medai::jobs {

enum class JobState { queued, running, succeeded, failed, cancelled };
std::string_view state_name(JobState state);
std::optional<JobState> state_from_name(std::string_view name);
inline bool is_terminal(JobState s) {
  return s == JobState::succeeded || s == JobState::failed || s == JobState::cancelled;
}

struct Job {
  std::string id;
  std::string type;
  std::string institution_id;
  std::string created_by;  // user id; "" for system triggers (routing rules)
  nlohmann::json input = nlohmann::json::object();
  std::optional<std::string> idempotency_key;
  JobState state = JobState::queued;
  std::int64_t priority = 0;
  double progress = 0;  // 0..1
  std::string progress_message;
  std::int64_t attempts = 0;  // claims so far (the running attempt included)
  std::int64_t max_attempts = 1;
  std::int64_t next_attempt_at = 0;  // ms since epoch
  std::optional<std::string> lease_owner;
  std::optional<std::int64_t> lease_expires_at;
  bool cancel_requested = false;
  std::optional<std::string> error_code;  // error_codes.def identifier
  std::optional<std::string> error_message;
  nlohmann::json result;  // null until succeeded
  std::int64_t version = 0;  // bumped on every change
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at, finished_at;
  std::int64_t updated_at = 0;
};

// What a caller asks for. institution_id is the tenant the job runs for.
struct JobRequest {
  std::string type;
  std::string institution_id;
  std::string created_by;
  nlohmann::json input = nlohmann::json::object();
  // Same (institution, type, key) → the existing job is returned instead of
  // a new one (routing rules use rule id + series UID).
  std::optional<std::string> idempotency_key;
  std::int64_t max_attempts = 0;  // 0: the engine's default (jobs.max_attempts)
  std::int64_t priority = 0;
};

struct EnqueueResult {
  Job job;
  bool created = false;  // false: an existing job with the same idempotency key
};

struct JobFilter {
  std::optional<std::string> institution_id;  // forced to the caller's own unless admin
  std::optional<JobState> state;
  std::optional<std::string> type;
  std::vector<std::string> study_uids;  // any of these studies (input.study_uid); empty: no condition
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

// API representation (ISO 8601 timestamps).
nlohmann::json to_json(const Job& job);

}  // namespace medai::jobs

#include "jobs/job.h"

#include "core/clock.h"

namespace medai::jobs {

std::string_view state_name(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
  }
  return "failed";
}

std::optional<JobState> state_from_name(std::string_view name) {
  for (JobState s : {JobState::queued, JobState::running, JobState::succeeded, JobState::failed, JobState::cancelled})
    if (state_name(s) == name) return s;
  return std::nullopt;
}

nlohmann::json to_json(const Job& j) {
  auto time_or_null = [](const std::optional<std::int64_t>& ms) {
    return ms ? nlohmann::json(iso8601_utc(*ms)) : nlohmann::json(nullptr);
  };
  nlohmann::json out = {{"id", j.id},
                        {"type", j.type},
                        {"institution_id", j.institution_id},
                        {"created_by", j.created_by},
                        {"input", j.input},
                        {"idempotency_key", j.idempotency_key ? nlohmann::json(*j.idempotency_key) : nullptr},
                        {"state", state_name(j.state)},
                        {"priority", j.priority},
                        {"progress", j.progress},
                        {"progress_message", j.progress_message},
                        {"attempts", j.attempts},
                        {"max_attempts", j.max_attempts},
                        {"next_attempt_at", j.state == JobState::queued ? nlohmann::json(iso8601_utc(j.next_attempt_at))
                                                                        : nlohmann::json(nullptr)},
                        {"cancel_requested", j.cancel_requested},
                        {"error", j.error_code ? nlohmann::json{{"code", *j.error_code},
                                                                {"message", j.error_message.value_or("")}}
                                               : nlohmann::json(nullptr)},
                        {"result", j.result},
                        {"version", j.version},
                        {"created_at", iso8601_utc(j.created_at)},
                        {"started_at", time_or_null(j.started_at)},
                        {"finished_at", time_or_null(j.finished_at)},
                        {"updated_at", iso8601_utc(j.updated_at)}};
  return out;
}

}  // namespace medai::jobs

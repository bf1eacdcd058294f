#pragma once
// Clinician feedback on app findings and usage metering per app version,
// institution and UTC day (tables app_feedback, app_usage of 0006_apps).
// The job engine calls record_job_usage when an app.run job finishes; the
// results UI calls record_feedback. Vendors read the usage of their own apps
// only; platform admins of all.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "core/status.h"
#include "storage/catalog.h"

namespace medai::packages {

enum class Verdict { accept, reject, edit };
std::optional<Verdict> verdict_from_name(std::string_view name);
std::string_view verdict_name(Verdict v);

struct FeedbackInput {
  std::string app_name;
  std::string version;
  std::string job_id;
  std::string finding_id;
  Verdict verdict = Verdict::accept;
  nlohmann::json edit = nullptr;  // required for Verdict::edit (an object), else null
};

struct UsageRow {
  std::string app_name;
  std::string version;
  std::string institution_id;
  std::string day;  // YYYY-MM-DD
  std::int64_t jobs = 0, compute_ms = 0, accepted = 0, rejected = 0, edited = 0;
};

class AppUsage {
 public:
  explicit AppUsage(storage::Catalog& catalog) : catalog_(catalog) {}

  // A clinician (doctor or institution admin) of the caller's institution,
  // where the version is approved, records a verdict on one finding of a job.
  // A later verdict by the same user on the same finding replaces it.
  Status record_feedback(const access::Principal& who, const FeedbackInput& input);

  // One finished app.run job: +1 job and its compute time, on the day of
  // `at_ms`. Once per job_id (table app_usage_jobs): a job that runs again
  // after a crash is not counted twice. An empty job_id (a synchronous
  // call, which is never re-run) always counts.
  Status record_job_usage(const std::string& job_id, const std::string& app_name, const std::string& version,
                          const std::string& institution_id, std::int64_t compute_ms, std::int64_t at_ms);

  // Usage of an app between two days (inclusive, "" = unbounded), by
  // version, institution and day. Vendor of the app or platform admin.
  Result<std::vector<UsageRow>> usage(const access::Principal& who, const std::string& app_name,
                                      const std::string& from_day = {}, const std::string& to_day = {});

 private:
  storage::Catalog& catalog_;
};

nlohmann::json to_json(const UsageRow& r);
// "YYYY-MM-DD" of a UTC millisecond timestamp.
std::string utc_day(std::int64_t ms);

}  // namespace medai::packages

#include "packages/app_usage.h"

#include <ctime>

#include "access/audit.h"
#include "core/clock.h"
#include "core/ids.h"

namespace medai::packages {

using access::Principal;
using access::Role;
using storage::Transaction;
using storage::TxMode;

std::optional<Verdict> verdict_from_name(std::string_view name) {
  if (name == "accept") return Verdict::accept;
  if (name == "reject") return Verdict::reject;
  if (name == "edit") return Verdict::edit;
  return std::nullopt;
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::accept: return "accept";
    case Verdict::reject: return "reject";
    case Verdict::edit: return "edit";
  }
  return "accept";
}

std::string utc_day(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

namespace {

const char* counter_of(std::string_view verdict) {
  return verdict == "accept" ? "accepted" : verdict == "reject" ? "rejected" : "edited";
}

// Adds `delta` to one counter of a usage row, creating the row at zero.
Status bump(Transaction& tx, const std::string& app_id, const std::string& version, const std::string& institution,
            const std::string& day, const char* column, std::int64_t delta, std::int64_t compute_ms = 0) {
  MEDAI_ASSIGN_OR_RETURN(std::int64_t changed,
                         tx.exec(std::string("UPDATE app_usage SET ") + column + " = " + column +
                                     " + $1, compute_ms = compute_ms + $2 WHERE app_id = $3 AND version = $4 AND "
                                     "institution_id = $5 AND day = $6",
                                 {delta, compute_ms, app_id, version, institution, day}));
  if (changed > 0) return Status::ok();
  const std::string c = column;
  return tx.exec("INSERT INTO app_usage (app_id, version, institution_id, day, jobs, compute_ms, accepted, rejected, "
                 "edited) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                 {app_id, version, institution, day, c == "jobs" ? delta : 0, compute_ms,
                  c == "accepted" ? delta : 0, c == "rejected" ? delta : 0, c == "edited" ? delta : 0})
      .status();
}

Result<std::optional<std::string>> app_id_of(Transaction& tx, const std::string& name) {
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT id FROM apps WHERE name = $1", {name}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->get_text("id"));
}

bool valid_day(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  return true;
}

}  // namespace

Status AppUsage::record_feedback(const Principal& who, const FeedbackInput& in) {
  if (!who.has_role(Role::doctor) && !who.has_role(Role::institution_admin))
    return make_error(ErrorCode::forbidden, "only clinicians give feedback on findings");
  for (const auto* s : {&in.job_id, &in.finding_id})
    if (s->empty() || s->size() > 200)
      return make_error(ErrorCode::invalid_argument, "job_id and finding_id must be 1 to 200 characters");
  if ((in.verdict == Verdict::edit) != (in.edit.is_object()))
    return make_error(ErrorCode::invalid_argument, "an edit verdict needs an edit object, other verdicts none",
                      {{"field", "edit"}});
  if (in.edit.is_object() && in.edit.dump().size() > 64 * 1024)
    return make_error(ErrorCode::invalid_argument, "edit is limited to 64 KiB");
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto app_id, app_id_of(tx, in.app_name));
    if (!app_id) return make_error(ErrorCode::not_found, "no app named '" + in.app_name + "' is visible to you");
    // Feedback only where the version may run: approved at the caller's institution.
    MEDAI_ASSIGN_OR_RETURN(auto approved, tx.query_one("SELECT 1 AS x FROM app_approvals WHERE app_id = $1 AND "
                                                       "version = $2 AND institution_id = $3",
                                                       {*app_id, in.version, who.institution_id}));
    if (!approved)
      return make_error(ErrorCode::not_found, "version " + in.version + " of '" + in.app_name +
                                                  "' was never approved at your institution");
    const std::int64_t now = now_ms();
    const std::string verdict(verdict_name(in.verdict));
    const storage::Value edit = in.edit.is_object() ? storage::Value(in.edit.dump()) : storage::Value(nullptr);
    MEDAI_ASSIGN_OR_RETURN(auto previous, tx.query_one("SELECT id, verdict, created_at FROM app_feedback WHERE "
                                                       "job_id = $1 AND finding_id = $2 AND user_id = $3",
                                                       {in.job_id, in.finding_id, who.user_id}));
    if (previous) {
      MEDAI_RETURN_IF_ERROR(bump(tx, *app_id, in.version, who.institution_id,
                                 utc_day(previous->get_int("created_at")), counter_of(previous->get_text("verdict")), -1));
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE app_feedback SET verdict = $1, edit_json = $2, created_at = $3 WHERE id = $4",
                                    {verdict, edit, now, previous->get_text("id")})
                                .status());
    } else {
      MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO app_feedback (id, app_id, version, institution_id, job_id, finding_id, "
                                    "verdict, edit_json, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                                    "$9, $10)",
                                    {new_id("fbk"), *app_id, in.version, who.institution_id, in.job_id, in.finding_id,
                                     verdict, edit, who.user_id, now})
                                .status());
    }
    MEDAI_RETURN_IF_ERROR(bump(tx, *app_id, in.version, who.institution_id, utc_day(now), counter_of(verdict), 1));
    auto ev = access::audit_event(who, "app.feedback", "app_version", in.app_name + "@" + in.version);
    ev.detail = {{"job_id", in.job_id}, {"finding_id", in.finding_id}, {"verdict", verdict}};
    return access::record_audit(tx, ev);
  });
}

Status AppUsage::record_job_usage(const std::string& job_id, const std::string& app_name, const std::string& version,
                                  const std::string& institution_id, std::int64_t compute_ms, std::int64_t at_ms) {
  if (compute_ms < 0) return make_error(ErrorCode::invalid_argument, "compute_ms must not be negative");
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto app_id, app_id_of(tx, app_name));
    if (!app_id) return make_error(ErrorCode::not_found, "no app named '" + app_name + "'");
    if (!job_id.empty()) {
      MEDAI_ASSIGN_OR_RETURN(auto seen, tx.query_one("SELECT job_id FROM app_usage_jobs WHERE job_id = $1", {job_id}));
      if (seen) return Status::ok();  // counted by an earlier run of the same job
      MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO app_usage_jobs (job_id, app_id, version, institution_id, compute_ms, "
                                    "recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
                                    {job_id, *app_id, version, institution_id, compute_ms, at_ms})
                                .status());
    }
    return bump(tx, *app_id, version, institution_id, utc_day(at_ms), "jobs", 1, compute_ms);
  });
}

Result<std::vector<UsageRow>> AppUsage::usage(const Principal& who, const std::string& app_name,
                                              const std::string& from_day, const std::string& to_day) {
  if ((!from_day.empty() && !valid_day(from_day)) || (!to_day.empty() && !valid_day(to_day)))
    return make_error(ErrorCode::invalid_argument, "from and to are days as YYYY-MM-DD");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto app, tx->query_one("SELECT id, vendor_institution_id FROM apps WHERE name = $1", {app_name}));
  const bool vendor = app && who.has_role(Role::partner) && app->get_text("vendor_institution_id") == who.institution_id;
  if (!app || (!vendor && !who.is_platform_admin()))
    return make_error(ErrorCode::not_found, "no app named '" + app_name + "' of yours");
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT * FROM app_usage WHERE app_id = $1 AND day >= $2 AND day <= $3 "
                                              "ORDER BY day, version, institution_id",
                                              {app->get_text("id"), from_day, to_day.empty() ? "9999-99-99" : to_day}));
  std::vector<UsageRow> out;
  for (const auto& r : rows)
    out.push_back({app_name, r.get_text("version"), r.get_text("institution_id"), r.get_text("day"), r.get_int("jobs"),
                   r.get_int("compute_ms"), r.get_int("accepted"), r.get_int("rejected"), r.get_int("edited")});
  return out;
}

nlohmann::json to_json(const UsageRow& r) {
  const std::int64_t reviewed = r.accepted + r.rejected + r.edited;
  return {{"version", r.version},
          {"institution_id", r.institution_id},
          {"day", r.day},
          {"jobs", r.jobs},
          {"compute_seconds", static_cast<double>(r.compute_ms) / 1000.0},
          {"accepted", r.accepted},
          {"rejected", r.rejected},
          {"edited", r.edited},
          {"acceptance_rate", reviewed ? nlohmann::json(static_cast<double>(r.accepted) / static_cast<double>(reviewed))
                                       : nlohmann::json(nullptr)}};
}

}  // namespace medai::packages

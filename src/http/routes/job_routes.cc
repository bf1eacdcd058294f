// Background jobs: submit, list, inspect, cancel, retry, and follow progress
// (long-poll on GET /jobs/{id}, Server-Sent Events on /jobs/{id}/events).
#include <atomic>
#include <chrono>
#include <memory>

#include "apps/app_run_handler.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "jobs/job_engine.h"

namespace medai::http::routes {
namespace {

// An event stream holds a handler thread while it waits, so it is bounded;
// clients reconnect with Last-Event-ID (the job version) to continue.
constexpr auto kStreamMaxDuration = std::chrono::minutes(30);
constexpr auto kStreamKeepAlive = std::chrono::seconds(15);
constexpr std::int64_t kMaxWaitSeconds = 60;

json job_schema() {
  return schema_object(
      {{"id", schema_string()},
       {"type", schema_string("job type, e.g. app.run, dicom.push, webhook.deliver")},
       {"institution_id", schema_string()},
       {"created_by", schema_string("user id of the submitter; empty for routing rules")},
       {"input", {{"type", "object"}}},
       {"idempotency_key", schema_string("same key (per institution and type) returns the existing job")},
       {"state", {{"type", "string"}, {"enum", {"queued", "running", "succeeded", "failed", "cancelled"}}}},
       {"priority", {{"type", "integer"}}},
       {"progress", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
       {"progress_message", schema_string()},
       {"attempts", {{"type", "integer"}}},
       {"max_attempts", {{"type", "integer"}}},
       {"next_attempt_at", schema_string("when a queued job becomes due (retry backoff)")},
       {"cancel_requested", {{"type", "boolean"}}},
       {"error", schema_object({{"code", schema_string("error code (docs/api.md)")}, {"message", schema_string()}})},
       {"result", {{"type", "object"}}},
       {"version", {{"type", "integer"}, {"description", "increases on every change"}}},
       {"created_at", schema_string()},
       {"started_at", schema_string()},
       {"finished_at", schema_string()},
       {"updated_at", schema_string()}});
}

Result<jobs::JobFilter> filter_of(const Request& req) {
  jobs::JobFilter f;
  MEDAI_ASSIGN_OR_RETURN(auto page, page_of(req));
  f.limit = page.limit;
  f.offset = page.offset;
  if (auto s = req.query_param("state")) {
    f.state = jobs::state_from_name(*s);
    if (!f.state)
      return make_error(ErrorCode::invalid_argument,
                        "state must be queued, running, succeeded, failed or cancelled", {{"field", "state"}});
  }
  if (auto t = req.query_param("type")) f.type = *t;
  if (auto i = req.query_param("institution_id")) f.institution_id = *i;
  if (auto studies = req.query_param("study_uid")) {
    // Comma-separated Study Instance UIDs (UIDs never hold a comma).
    std::size_t start = 0;
    while (start <= studies->size()) {
      const std::size_t end = std::min(studies->find(',', start), studies->size());
      std::string uid = studies->substr(start, end - start);
      if (uid.empty() || uid.size() > 64 || uid.find_first_not_of("0123456789.") != std::string::npos)
        return make_error(ErrorCode::invalid_argument, "study_uid must be Study Instance UIDs separated by commas",
                          {{"field", "study_uid"}});
      f.study_uids.push_back(std::move(uid));
      start = end + 1;
    }
    if (f.study_uids.size() > 200)
      return make_error(ErrorCode::invalid_argument, "at most 200 studies per request", {{"field", "study_uid"}});
  }
  return f;
}

// Waiting requests (long-poll, event streams) each hold an HTTP handler
// thread, so at most half of the handler threads may wait at once; the rest
// keep serving the API. A slot is released when its guard is destroyed (the
// request answered, the stream finished or the client gone).
class WaitSlots {
 public:
  explicit WaitSlots(int max) : max_(std::max(1, max)) {}
  struct Guard {
    explicit Guard(WaitSlots& s) : slots(s) {}
    ~Guard() { slots.in_use_.fetch_sub(1); }
    WaitSlots& slots;
  };
  std::shared_ptr<Guard> try_acquire() {
    if (in_use_.fetch_add(1) >= max_) {
      in_use_.fetch_sub(1);
      return nullptr;
    }
    return std::make_shared<Guard>(*this);
  }

 private:
  const int max_;
  std::atomic<int> in_use_{0};
};

// "data:" lines of one SSE event.
std::string sse_event(const jobs::Job& job) {
  return "id: " + std::to_string(job.version) + "\nevent: job\ndata: " + jobs::to_json(job).dump() + "\n\n";
}

}  // namespace

void register_job_routes(Router& router, AppContext& ctx) {
  auto slots = std::make_shared<WaitSlots>(static_cast<int>(ctx.config.http.handler_threads / 2));
  router.add({.method = Method::post,
              .pattern = "/api/v1/jobs",
              .operation_id = "createJob",
              .summary = "Submit a job",
              .description = "Queues a job of a registered type for the caller's institution (platform admins may "
                             "name another). With an idempotency_key, a second submission with the same key, type "
                             "and institution returns the existing job (200) instead of a new one (201).",
              .tags = {"jobs"},
              .request_schema = schema_object({{"type", schema_string()},
                                               {"input", {{"type", "object"}}},
                                               {"idempotency_key", schema_string()},
                                               {"institution_id", schema_string("platform admins only")},
                                               {"max_attempts", {{"type", "integer"}, {"minimum", 1}}},
                                               {"priority", {{"type", "integer"}}}},
                                              {"type"}),
              .responses = {{201, "queued", job_schema()},
                            {200, "an existing job with the same idempotency key", job_schema()},
                            error_doc(400, "unknown type or invalid field"),
                            error_doc(403, "role may not submit this type, or another institution")},
              .max_body_bytes = 256 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(
                       *body, {"type", "input", "idempotency_key", "institution_id", "max_attempts", "priority"});
                   !s)
                 return Response::error(s);
               jobs::JobRequest r;
               auto type = required_string(*body, "type", 64);
               auto key = optional_string(*body, "idempotency_key", 200);
               auto inst = optional_string(*body, "institution_id", 64);
               auto attempts = optional_int(*body, "max_attempts");
               auto priority = optional_int(*body, "priority");
               for (const Status& s : {type.status(), key.status(), inst.status(), attempts.status(),
                                       priority.status()})
                 if (!s) return Response::error(s);
               r.type = *type;
               r.idempotency_key = *key;
               r.institution_id = inst->value_or("");
               r.max_attempts = attempts->value_or(0);
               r.priority = std::clamp<std::int64_t>(priority->value_or(0), -100, 100);
               if (body->contains("input")) {
                 if (!(*body)["input"].is_object())
                   return Response::error(make_error(ErrorCode::invalid_argument, "field 'input' must be an object",
                                                     {{"field", "input"}}));
                 r.input = (*body)["input"];
               }
               if (r.type == apps::kAppRunJobType) {
                 // Checked now, so the caller hears at once instead of from a failed job.
                 if (Status s = apps::check_app_run_input(r.input); !s) return Response::error(s);
                 if (ctx.apps) {
                   const std::string institution =
                       r.institution_id.empty() ? req.principal->institution_id : r.institution_id;
                   std::string version = r.input.value("version", "");
                   if (version == "latest-approved" || version == "latest") version.clear();
                   if (auto app = ctx.apps->resolve_runnable(institution, r.input["app"].get<std::string>(), version);
                       !app)
                     return fail(ctx, req, app.status());
                 }
               }
               auto e = ctx.jobs->submit(*req.principal, std::move(r));
               if (!e) return fail(ctx, req, e.status());
               return Response::json(jobs::to_json(e->job), e->created ? 201 : 200);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/jobs",
              .operation_id = "listJobs",
              .summary = "List jobs",
              .description = "Newest first. Callers see their own institution's jobs; platform admins all (or one "
                             "institution with institution_id).",
              .tags = {"jobs"},
              .parameters = [] {
                auto p = paging_parameters();
                p.push_back(query_parameter("state", "queued | running | succeeded | failed | cancelled"));
                p.push_back(query_parameter("type", "job type"));
                p.push_back(query_parameter("institution_id", "platform admins: one institution"));
                p.push_back(query_parameter("study_uid", "only jobs on these studies (input.study_uid; up to 200 "
                                                         "Study Instance UIDs separated by commas)"));
                return p;
              }(),
              .responses = {{200, "jobs", paged_list_schema(job_schema())},
                            error_doc(400, "invalid filter")}},
             [&ctx](Request& req) {
               auto f = filter_of(req);
               if (!f) return Response::error(f.status());
               auto list = ctx.jobs->list(*req.principal, *f);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& j : *list) items.push_back(jobs::to_json(j));
               const access::Page page{f->limit, f->offset};
               auto total = list_total(list->size(), page, [&] { return ctx.jobs->count(*req.principal, *f); });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), page, *total);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/jobs/{id}",
              .operation_id = "getJob",
              .summary = "Get a job",
              .description = "State, progress, attempts, error and result. Long-poll: with wait=<seconds> (max 60) "
                             "and after_version=<n>, the answer comes once the job's version exceeds n, it is "
                             "finished, or the wait is over.",
              .tags = {"jobs"},
              .parameters = {query_parameter("wait", "seconds to wait for a change (0..60)", "integer"),
                             query_parameter("after_version", "the version the caller already has", "integer")},
              .responses = {{200, "the job", job_schema()}, error_doc(404, "not found")}},
             [&ctx, slots](Request& req) {
               auto wait = req.int_query("wait", 0, 0, kMaxWaitSeconds);
               auto after = req.int_query("after_version", -1, -1, std::numeric_limits<std::int64_t>::max());
               if (!wait) return Response::error(wait.status());
               if (!after) return Response::error(after.status());
               // No free wait slot: answer at once (the client simply polls again).
               auto slot = *wait > 0 && *after >= 0 ? slots->try_acquire() : nullptr;
               auto j = slot
                            ? ctx.jobs->wait_for_change(*req.principal, req.param("id"), *after,
                                                        std::chrono::seconds(*wait))
                            : ctx.jobs->get(*req.principal, req.param("id"));
               if (!j) return fail(ctx, req, j.status());
               return Response::json(jobs::to_json(*j));
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/jobs/{id}/cancel",
              .operation_id = "cancelJob",
              .summary = "Cancel a job",
              .description = "A queued job is cancelled at once; a running one is asked to stop (cancel_requested) "
                             "and ends cancelled when its handler returns. The submitter or an institution "
                             "administrator.",
              .tags = {"jobs"},
              .responses = {{200, "the job after the request", job_schema()},
                            error_doc(403, "neither submitter nor administrator"), error_doc(404, "not found"),
                            error_doc(409, "already finished")}},
             [&ctx](Request& req) {
               auto j = ctx.jobs->cancel(*req.principal, req.param("id"));
               if (!j) return fail(ctx, req, j.status());
               return Response::json(jobs::to_json(*j));
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/jobs/{id}/retry",
              .operation_id = "retryJob",
              .summary = "Retry a failed or cancelled job",
              .description = "Queues the job again with a fresh attempt budget (same id, same input).",
              .tags = {"jobs"},
              .responses = {{200, "queued again", job_schema()},
                            error_doc(403, "neither submitter nor administrator"), error_doc(404, "not found"),
                            error_doc(409, "not failed or cancelled")}},
             [&ctx](Request& req) {
               auto j = ctx.jobs->retry(*req.principal, req.param("id"));
               if (!j) return fail(ctx, req, j.status());
               return Response::json(jobs::to_json(*j));
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/jobs/{id}/events",
              .operation_id = "streamJobEvents",
              .summary = "Follow a job (Server-Sent Events)",
              .description = "text/event-stream: one `job` event (id = job version, data = the job JSON) now and "
                             "on every change, until the job is finished; a comment line every 15 s keeps the "
                             "connection open. Reconnect with Last-Event-ID to skip versions already seen.",
              .tags = {"jobs"},
              .responses = {{200, "event stream", nullptr}, error_doc(404, "not found"),
                            error_doc(429, "too many open streams (at most half the HTTP handler threads)")}},
             [&ctx, slots](Request& req) {
               auto first = ctx.jobs->get(*req.principal, req.param("id"));
               if (!first) return fail(ctx, req, first.status());
               auto slot = slots->try_acquire();
               if (!slot)
                 return Response::error(make_error(ErrorCode::too_many_requests,
                                                   "too many open job event streams; retry later or long-poll "
                                                   "GET /api/v1/jobs/{id}?wait="));
               std::int64_t last_sent = -1;
               if (const std::string lei = req.header("Last-Event-ID"); !lei.empty()) {
                 try {
                   last_sent = std::stoll(lei);
                 } catch (...) {
                   last_sent = -1;
                 }
               }
               struct State {
                 access::Principal who;
                 std::string id;
                 std::int64_t last_sent;
                 bool done = false;
                 std::chrono::steady_clock::time_point until;
               };
               auto st = std::make_shared<State>(State{*req.principal, req.param("id"), last_sent, false,
                                                       std::chrono::steady_clock::now() + kStreamMaxDuration});
               Response res;
               res.status = 200;
               res.header("Content-Type", "text/event-stream");
               res.header("Cache-Control", "no-cache");
               res.header("X-Accel-Buffering", "no");
               jobs::JobEngine* engine = ctx.jobs;
               res.chunks = [engine, st, slot](std::string& out) -> bool {
                 if (st->done || std::chrono::steady_clock::now() >= st->until) return false;
                 auto j = engine->wait_for_change(st->who, st->id, st->last_sent,
                                                  st->last_sent < 0 ? std::chrono::milliseconds(0)
                                                                    : std::chrono::milliseconds(kStreamKeepAlive));
                 if (!j) {
                   out += "event: error\ndata: " + j.status().to_json().dump() + "\n\n";
                   st->done = true;
                   return true;
                 }
                 if (j->version > st->last_sent) {
                   out += sse_event(*j);
                   st->last_sent = j->version;
                 } else if (!jobs::is_terminal(j->state)) {
                   out += ": keep-alive\n\n";
                 }
                 if (jobs::is_terminal(j->state)) st->done = true;
                 return true;
               };
               return res;
             });
}

}  // namespace medai::http::routes

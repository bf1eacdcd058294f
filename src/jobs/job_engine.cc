#include "jobs/job_engine.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/memory_release.h"

namespace medai::jobs {
namespace {

constexpr auto kProgressWriteInterval = std::chrono::milliseconds(200);

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Owners of engines alive in this process: a row owned by this pid under
// another nonce belongs to an engine that was destroyed (or never stopped).
std::mutex g_live_mu;
std::set<std::string>& live_owners() {
  static std::set<std::string> owners;
  return owners;
}

}  // namespace

// --- JobContext ---------------------------------------------------------------

JobContext::JobContext(JobStore& store, std::string job_id, std::string owner, std::int64_t attempt)
    : store_(store), job_id_(std::move(job_id)), owner_(std::move(owner)), attempt_(attempt) {}

void JobContext::progress(double fraction, std::string_view message) {
  if (!std::isfinite(fraction)) fraction = 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  std::lock_guard lock(mu_);
  pending_fraction_ = fraction;
  pending_message_ = std::string(message.substr(0, 500));
  pending_ = true;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_write_ < kProgressWriteInterval) return;
  last_write_ = now;
  pending_ = false;
  if (Status s = store_.set_progress(job_id_, owner_, pending_fraction_, pending_message_, now_ms()); !s)
    log::debug("jobs.progress_not_recorded", {{"job_id", job_id_}, {"error", s.to_json()}});
}

void JobContext::flush_progress() {
  std::lock_guard lock(mu_);
  if (!pending_) return;
  pending_ = false;
  last_write_ = std::chrono::steady_clock::now();
  (void)store_.set_progress(job_id_, owner_, pending_fraction_, pending_message_, now_ms());
}

bool JobContext::sleep_for(std::chrono::milliseconds d) const {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (cancelled()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(20), until - std::chrono::steady_clock::now()));
  }
  return !cancelled();
}

bool is_retryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::unavailable:
    case ErrorCode::remote_failure:
    case ErrorCode::too_many_requests:
    case ErrorCode::request_timeout:
    case ErrorCode::io_error:
    case ErrorCode::storage_error:
    case ErrorCode::job_interrupted:
      return true;
    default:
      return false;
  }
}

// --- JobEngine ----------------------------------------------------------------

JobEngineOptions engine_options_from_config(const JobsConfig& c) {
  JobEngineOptions o;
  o.workers = static_cast<int>(c.workers);
  o.poll_interval_ms = c.poll_interval_ms;
  o.lease_ms = c.lease_seconds * 1000;
  o.retry_base_ms = c.retry_base_ms;
  o.retry_max_ms = c.retry_max_ms;
  o.default_max_attempts = c.max_attempts;
  return o;
}

JobEngine::JobEngine(storage::Catalog& catalog, JobEngineOptions options)
    : catalog_(catalog), store_(catalog), options_(options) {
  owner_ = host_name() + "/" + std::to_string(::getpid()) + "/" + crypto::to_hex(crypto::random_bytes(6));
  std::lock_guard lock(g_live_mu);
  live_owners().insert(owner_);
}

JobEngine::~JobEngine() {
  stop();
  std::lock_guard lock(g_live_mu);
  live_owners().erase(owner_);
}

void JobEngine::register_handler(const std::string& type, std::shared_ptr<JobHandler> handler,
                                 JobTypeOptions options) {
  {
    std::lock_guard lock(mu_);
    handlers_[type] = Registration{std::move(handler), std::move(options)};
  }
  wake_.notify_all();
}

bool JobEngine::has_handler(const std::string& type) const {
  std::lock_guard lock(mu_);
  return handlers_.count(type) != 0;
}

std::vector<std::string> JobEngine::registered_types() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [t, r] : handlers_) out.push_back(t);
  return out;
}

bool JobEngine::owner_is_dead(const std::string& owner) const {
  // "host/pid/nonce"
  const auto a = owner.find('/');
  const auto b = a == std::string::npos ? std::string::npos : owner.find('/', a + 1);
  if (b == std::string::npos) return false;  // unknown format: wait for the lease to expire
  if (owner.substr(0, a) != host_name()) return false;  // another host: only the lease tells
  long pid = 0;
  try {
    pid = std::stol(owner.substr(a + 1, b - a - 1));
  } catch (...) {
    return false;
  }
  if (pid == ::getpid()) {
    std::lock_guard lock(g_live_mu);
    return live_owners().count(owner) == 0;
  }
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

Status JobEngine::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return Status::ok();
  }
  auto recovered = store_.recover_orphans(now_ms(), [this](const std::string& o) { return owner_is_dead(o); });
  if (!recovered) return recovered.status();
  if (*recovered > 0) log::warn("jobs.recovered_interrupted", {{"count", *recovered}});
  std::lock_guard lock(mu_);
  started_ = true;
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { worker_loop(); });
  threads_.emplace_back([this] { heartbeat_loop(); });
  log::info("jobs.engine_started", {{"workers", options_.workers}, {"owner", owner_}});
  return Status::ok();
}

void JobEngine::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    stopping_ = true;
    for (auto& [id, ctx] : running_) ctx->request_shutdown();
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& t : threads) t.join();
  std::lock_guard lock(mu_);
  started_ = false;
}

void JobEngine::notify_change() {
  {
    std::lock_guard lock(mu_);
    ++change_counter_;
  }
  changed_.notify_all();
}

std::int64_t JobEngine::backoff_ms(std::int64_t attempt) const {
  double delay = static_cast<double>(options_.retry_base_ms) * std::pow(2.0, static_cast<double>(std::max<std::int64_t>(attempt, 1) - 1));
  delay = std::min(delay, static_cast<double>(options_.retry_max_ms));
  // ±20% jitter so jobs failing together do not retry in lock step.
  const double jitter = 0.8 + 0.4 * (crypto::random_uniform(1001) / 1000.0);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(delay * jitter));
}

void JobEngine::worker_loop() {
  while (true) {
    std::set<std::string> types;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      for (const auto& [t, r] : handlers_) types.insert(t);
    }
    auto claimed = store_.claim(owner_, types, now_ms(), options_.lease_ms);
    if (!claimed) log::error("jobs.claim_failed", {{"error", claimed.status().to_json()}});
    if (claimed && *claimed) {
      notify_change();
      run_one(std::move(**claimed));
      continue;
    }
    std::unique_lock lock(mu_);
    if (stopping_) return;
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms));
  }
}

void JobEngine::run_one(Job job) {
  std::shared_ptr<JobHandler> handler;
  auto ctx = std::make_shared<JobContext>(store_, job.id, owner_, job.attempts);
  {
    std::lock_guard lock(mu_);
    if (auto it = handlers_.find(job.type); it != handlers_.end()) handler = it->second.handler;
    running_[job.id] = ctx;
    if (stopping_) ctx->request_shutdown();
  }
  if (job.cancel_requested) ctx->request_cancel();
  const auto started = std::chrono::steady_clock::now();
  Result<nlohmann::json> result = make_error(ErrorCode::internal, "no handler for this job type");
  if (handler && !ctx->cancelled()) {
    try {
      result = handler->run(job, *ctx);
    } catch (const std::exception&) {
      // The exception text may quote input data: not stored, not logged.
      result = make_error(ErrorCode::internal, "the job handler failed unexpectedly");
    } catch (...) {
      result = make_error(ErrorCode::internal, "the job handler failed unexpectedly");
    }
  }
  ctx->flush_progress();
  // A training run or an app run frees hundreds of MiB; give them back to
  // the kernel now rather than keep the server at the job's peak.
  release_free_memory();
  const std::int64_t now = now_ms();
  Status recorded;
  std::string outcome;
  if (ctx->shutting_down() && !ctx->cancel_requested() && !result) {
    recorded = store_.release(job.id, owner_, now);
    outcome = "released";
  } else if (ctx->cancel_requested() && !result) {
    recorded = store_.finish_cancelled(job.id, owner_, now);
    outcome = "cancelled";
  } else if (result) {
    recorded = store_.finish_succeeded(job.id, owner_, *result, now);
    outcome = "succeeded";
  } else if (is_retryable(result.status().code()) && job.attempts < job.max_attempts) {
    recorded = store_.finish_failed(job.id, owner_, result.status(), now + backoff_ms(job.attempts), now);
    outcome = "retry";
  } else {
    recorded = store_.finish_failed(job.id, owner_, result.status(), std::nullopt, now);
    outcome = "failed";
  }
  {
    std::lock_guard lock(mu_);
    running_.erase(job.id);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json fields = {{"job_id", job.id},     {"type", job.type},        {"attempt", job.attempts},
                           {"outcome", outcome},   {"seconds", seconds}};
  if (!result) fields["error_code"] = error_code_name(result.status().code());
  if (!recorded) {
    fields["record_error"] = recorded.to_json();
    log::warn("jobs.outcome_not_recorded", fields);
  } else {
    log::debug("jobs.attempt_finished", fields);
  }
  notify_change();
  if (outcome == "retry") wake_.notify_one();
  if (recorded && (outcome == "succeeded" || outcome == "failed" || outcome == "cancelled")) notify_terminal(job.id);
}

void JobEngine::add_terminal_listener(TerminalListener listener) {
  std::lock_guard lock(mu_);
  terminal_listeners_.push_back(std::move(listener));
}

void JobEngine::notify_terminal(const std::string& id) {
  std::vector<TerminalListener> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = terminal_listeners_;
  }
  if (listeners.empty()) return;
  auto job = store_.get(id);
  if (!job || !*job || !is_terminal((*job)->state)) return;
  for (const auto& l : listeners) {
    try {
      l(**job);
    } catch (...) {
      log::warn("jobs.terminal_listener_failed", {{"job_id", id}});
    }
  }
}

void JobEngine::heartbeat_loop() {
  const auto interval = std::chrono::milliseconds(std::max<std::int64_t>(options_.lease_ms / 3, 50));
  auto next_recovery = std::chrono::steady_clock::now();
  while (true) {
    std::vector<std::string> ids;
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      wake_.wait_for(lock, interval, [this] { return stopping_; });
      if (stopping_) return;
      for (const auto& [id, ctx] : running_) ids.push_back(id);
    }
    auto stop_ids = store_.renew_leases(owner_, ids, now_ms() + options_.lease_ms);
    if (!stop_ids) {
      log::warn("jobs.lease_renewal_failed", {{"error", stop_ids.status().to_json()}});
    } else if (!stop_ids->empty()) {
      std::lock_guard lock(mu_);
      for (const auto& id : *stop_ids)
        if (auto it = running_.find(id); it != running_.end()) it->second->request_cancel();
    }
    if (std::chrono::steady_clock::now() >= next_recovery) {
      next_recovery = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.lease_ms / 2);
      auto recovered = store_.recover_orphans(now_ms(), [this](const std::string& o) { return owner_is_dead(o); });
      if (recovered && *recovered > 0) {
        log::warn("jobs.recovered_interrupted", {{"count", *recovered}});
        wake_.notify_all();
      }
    }
  }
}

// --- system and API side -----------------------------------------------------

Result<EnqueueResult> JobEngine::enqueue(JobRequest request) {
  if (request.type.empty() || request.type.size() > 64)
    return make_error(ErrorCode::invalid_argument, "job type must be 1..64 characters");
  if (request.institution_id.empty()) return make_error(ErrorCode::invalid_argument, "a job needs an institution");
  if (request.input.is_null()) request.input = nlohmann::json::object();
  if (!request.input.is_object()) return make_error(ErrorCode::invalid_argument, "job input must be a JSON object");
  if (request.idempotency_key && (request.idempotency_key->empty() || request.idempotency_key->size() > 200))
    return make_error(ErrorCode::invalid_argument, "idempotency key must be 1..200 characters");
  if (request.max_attempts <= 0) request.max_attempts = options_.default_max_attempts;
  if (request.max_attempts > 100) return make_error(ErrorCode::invalid_argument, "max_attempts must be 1..100");
  MEDAI_ASSIGN_OR_RETURN(auto out, store_.insert(request, now_ms()));
  if (out.created) {
    wake_.notify_one();
    notify_change();
  }
  return out;
}

Result<EnqueueResult> JobEngine::submit(const access::Principal& who, JobRequest request) {
  std::optional<Registration> reg;
  {
    std::lock_guard lock(mu_);
    if (auto it = handlers_.find(request.type); it != handlers_.end()) reg = it->second;
  }
  if (!reg || !reg->options.api_submittable)
    return make_error(ErrorCode::invalid_argument, "unknown job type", {{"type", request.type}});
  if (!reg->options.submit_roles.empty()) {
    bool allowed = who.is_platform_admin();
    for (auto r : reg->options.submit_roles) allowed = allowed || who.has_role(r);
    if (!allowed) return make_error(ErrorCode::forbidden, "your role may not submit this job type");
  }
  if (request.institution_id.empty()) request.institution_id = who.institution_id;
  if (!who.can_see_institution(request.institution_id))
    return make_error(ErrorCode::forbidden, "jobs can only be submitted for your own institution");
  request.created_by = who.user_id;
  return enqueue(std::move(request));
}

Result<Job> JobEngine::visible(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto job, store_.get(id));
  // Another tenant's job is indistinguishable from a missing one.
  if (!job || !who.can_see_institution(job->institution_id)) return make_error(ErrorCode::not_found, "no such job");
  return *job;
}

Result<Job> JobEngine::get(const access::Principal& who, const std::string& id) { return visible(who, id); }

Result<std::vector<Job>> JobEngine::list(const access::Principal& who, JobFilter filter) {
  if (!who.is_platform_admin()) {
    if (filter.institution_id && *filter.institution_id != who.institution_id)
      return make_error(ErrorCode::forbidden, "you can only list your own institution's jobs");
    filter.institution_id = who.institution_id;
  }
  return store_.list(filter);
}

Result<std::int64_t> JobEngine::count(const access::Principal& who, JobFilter filter) {
  if (!who.is_platform_admin()) {
    if (filter.institution_id && *filter.institution_id != who.institution_id)
      return make_error(ErrorCode::forbidden, "you can only list your own institution's jobs");
    filter.institution_id = who.institution_id;
  }
  return store_.count(filter);
}

namespace {
// The submitter, an administrator of the institution, or a platform admin
// may change a job; colleagues may only look at it.
Status may_change(const access::Principal& who, const Job& job) {
  if (who.user_id == job.created_by || who.can_administer(job.institution_id)) return Status::ok();
  return make_error(ErrorCode::forbidden, "only the submitter or an institution administrator may change this job");
}
}  // namespace

Result<Job> JobEngine::cancel(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(Job job, visible(who, id));
  MEDAI_RETURN_IF_ERROR(may_change(who, job));
  MEDAI_ASSIGN_OR_RETURN(Job after, store_.request_cancel(id, now_ms()));
  {
    std::lock_guard lock(mu_);
    if (auto it = running_.find(id); it != running_.end()) it->second->request_cancel();
  }
  notify_change();
  // A queued job is cancelled at once; a running one when its handler stops.
  if (job.state != JobState::cancelled && after.state == JobState::cancelled) notify_terminal(id);
  return after;
}

Result<Job> JobEngine::retry(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(Job job, visible(who, id));
  MEDAI_RETURN_IF_ERROR(may_change(who, job));
  MEDAI_ASSIGN_OR_RETURN(Job after, store_.retry(id, now_ms()));
  wake_.notify_one();
  notify_change();
  return after;
}

Result<Job> JobEngine::wait_for_change(const access::Principal& who, const std::string& id,
                                       std::int64_t after_version, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mu_);
      seen = change_counter_;
    }
    MEDAI_ASSIGN_OR_RETURN(Job job, visible(who, id));
    if (job.version > after_version || is_terminal(job.state) || std::chrono::steady_clock::now() >= deadline)
      return job;
    // Changes made by this process wake us at once; other processes' changes
    // are seen by polling.
    std::unique_lock lock(mu_);
    changed_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(250)),
                        [&] { return change_counter_ != seen; });
  }
}

}  // namespace medai::jobs

// The queue and its workers against a real SQLite catalog.
#include <atomic>
#include <map>
#include <mutex>

#include "core/clock.h"
#include "jobs/test_handlers.h"
#include "jobs_fixture.h"

namespace medai::jobs {
namespace {

// Records the order in which jobs ran and how often each ran.
class RecordingHandler : public JobHandler {
 public:
  Result<nlohmann::json> run(const Job& job, JobContext&) override {
    std::lock_guard lock(mu_);
    order_.push_back(job.input.value("n", -1));
    ++runs_[job.id];
    return nlohmann::json{{"n", job.input.value("n", -1)}};
  }
  std::vector<int> order() {
    std::lock_guard lock(mu_);
    return order_;
  }
  std::map<std::string, int> runs() {
    std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  std::mutex mu_;
  std::vector<int> order_;
  std::map<std::string, int> runs_;
};

TEST_F(JobsTest, RunsJobToSuccessAndStoresResult) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("test.noop", {{"x", 1}}));
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  EXPECT_TRUE(e->created);
  EXPECT_EQ(e->job.state, JobState::queued);
  Job done = wait_terminal(engine, e->job.id);
  EXPECT_EQ(done.state, JobState::succeeded);
  EXPECT_EQ(done.result["echo"]["x"], 1);
  EXPECT_EQ(done.attempts, 1);
  EXPECT_DOUBLE_EQ(done.progress, 1.0);
  ASSERT_TRUE(done.started_at && done.finished_at);
  EXPECT_LE(done.created_at, *done.started_at);
  EXPECT_LE(*done.started_at, *done.finished_at);
  EXPECT_FALSE(done.lease_owner.has_value());
}

TEST_F(JobsTest, OneWorkerRunsJobsInPriorityThenArrivalOrder) {
  JobEngine engine(*catalog_, fast_options(1));
  auto handler = std::make_shared<RecordingHandler>();
  engine.register_handler("rec", handler);
  // Enqueued before start, so the order is decided by the queue alone.
  std::vector<std::string> ids;
  for (int n = 0; n < 5; ++n) {
    auto r = request("rec", {{"n", n}});
    auto e = engine.enqueue(r);
    ASSERT_TRUE(e.is_ok());
    ids.push_back(e->job.id);
  }
  auto urgent = request("rec", {{"n", 99}});
  urgent.priority = 10;
  ASSERT_TRUE(engine.enqueue(urgent).is_ok());
  ASSERT_TRUE(engine.start().is_ok());
  for (const auto& id : ids) wait_terminal(engine, id);
  EXPECT_EQ(handler->order(), (std::vector<int>{99, 0, 1, 2, 3, 4}));
}

TEST_F(JobsTest, FourWorkersNeverRunAJobTwice) {
  JobEngine engine(*catalog_, fast_options(4));
  auto handler = std::make_shared<RecordingHandler>();
  engine.register_handler("rec", handler);
  constexpr int kJobs = 1000;
  std::vector<std::string> ids;
  for (int n = 0; n < kJobs; ++n) {
    auto e = engine.enqueue(request("rec", {{"n", n}}));
    ASSERT_TRUE(e.is_ok());
    ids.push_back(e->job.id);
  }
  ASSERT_TRUE(engine.start().is_ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto done = engine.store().list({.state = JobState::succeeded, .limit = kJobs + 1});
    ASSERT_TRUE(done.is_ok());
    if (static_cast<int>(done->size()) == kJobs) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  engine.stop();
  auto runs = handler->runs();
  EXPECT_EQ(static_cast<int>(runs.size()), kJobs);
  for (const auto& [id, n] : runs) EXPECT_EQ(n, 1) << id;
  for (const auto& id : ids) {
    auto j = engine.find(id);
    ASSERT_TRUE(j.is_ok() && j->has_value());
    EXPECT_EQ((*j)->state, JobState::succeeded);
    EXPECT_EQ((*j)->attempts, 1);
  }
}

TEST_F(JobsTest, SameIdempotencyKeyReturnsTheExistingJob) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  auto r = request("test.noop");
  r.idempotency_key = "rule-1:1.2.3";
  auto first = engine.enqueue(r);
  auto second = engine.enqueue(r);
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(first->job.id, second->job.id);
  // The key is scoped by institution and type.
  auto other_inst = r;
  other_inst.institution_id = "inst-b";
  auto other_type = r;
  other_type.type = "test.sleep";
  auto third = engine.enqueue(other_inst);
  auto fourth = engine.enqueue(other_type);
  ASSERT_TRUE(third.is_ok() && fourth.is_ok());
  EXPECT_TRUE(third->created);
  EXPECT_TRUE(fourth->created);
  EXPECT_NE(third->job.id, first->job.id);
  // No key: always a new job.
  auto a = engine.enqueue(request("test.noop"));
  auto b = engine.enqueue(request("test.noop"));
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_NE(a->job.id, b->job.id);
}

TEST_F(JobsTest, RetryableErrorIsRetriedWithBackoffThenSucceeds) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("test.fail", {{"code", "unavailable"}, {"times", 2}}));
  ASSERT_TRUE(e.is_ok());
  // After the first failure the job waits in the queue with a due time in the future.
  Job waiting = wait_until(engine, e->job.id, [](const Job& j) { return j.attempts == 1 && j.state == JobState::queued; });
  ASSERT_TRUE(waiting.error_code.has_value());
  EXPECT_EQ(*waiting.error_code, "unavailable");
  EXPECT_GE(waiting.next_attempt_at, waiting.updated_at + 30);  // base 50 ms, -20% jitter at most
  Job done = wait_terminal(engine, e->job.id);
  EXPECT_EQ(done.state, JobState::succeeded);
  EXPECT_EQ(done.attempts, 3);
  EXPECT_EQ(done.result["succeeded_on_attempt"], 3);
  EXPECT_FALSE(done.error_code.has_value());
}

TEST_F(JobsTest, RetryableErrorFailsWhenAttemptsRunOut) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto r = request("test.fail", {{"code", "remote_failure"}});
  r.max_attempts = 2;
  auto e = engine.enqueue(r);
  ASSERT_TRUE(e.is_ok());
  Job done = wait_terminal(engine, e->job.id);
  EXPECT_EQ(done.state, JobState::failed);
  EXPECT_EQ(done.attempts, 2);
  EXPECT_EQ(done.error_code.value_or(""), "remote_failure");
}

TEST_F(JobsTest, NonRetryableErrorFailsAtOnce) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("test.fail", {{"code", "invalid_argument"}}));
  ASSERT_TRUE(e.is_ok());
  Job done = wait_terminal(engine, e->job.id);
  EXPECT_EQ(done.state, JobState::failed);
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(done.error_code.value_or(""), "invalid_argument");
}

TEST_F(JobsTest, ThrowingHandlerFailsTheJobAndTheWorkerKeepsWorking) {
  JobEngine engine(*catalog_, fast_options(1));
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto bad = engine.enqueue(request("test.fail", {{"throw", true}}));
  ASSERT_TRUE(bad.is_ok());
  Job failed = wait_terminal(engine, bad->job.id);
  EXPECT_EQ(failed.state, JobState::failed);
  EXPECT_EQ(failed.error_code.value_or(""), "internal");
  EXPECT_EQ(failed.error_message.value_or("").find("test handler exception"), std::string::npos);
  auto good = engine.enqueue(request("test.noop"));
  ASSERT_TRUE(good.is_ok());
  EXPECT_EQ(wait_terminal(engine, good->job.id).state, JobState::succeeded);
}

TEST_F(JobsTest, CancelQueuedJobAtOnce) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);  // not started: the job stays queued
  auto e = engine.enqueue(request("test.noop"));
  ASSERT_TRUE(e.is_ok());
  auto c = engine.cancel(user_of("inst-a", "u1", access::Role::institution_admin), e->job.id);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->state, JobState::cancelled);
  ASSERT_TRUE(engine.start().is_ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto j = engine.find(e->job.id);
  EXPECT_EQ((*j)->state, JobState::cancelled);
  EXPECT_EQ((*j)->attempts, 0);
  // A finished job cannot be cancelled again.
  auto again = engine.cancel(user_of("inst-a", "u1", access::Role::institution_admin), e->job.id);
  EXPECT_EQ(again.status().code(), ErrorCode::conflict);
}

TEST_F(JobsTest, CancelRunningJobStopsTheHandler) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("test.sleep", {{"ms", 20000}, {"steps", 100}}));
  ASSERT_TRUE(e.is_ok());
  wait_until(engine, e->job.id, [](const Job& j) { return j.state == JobState::running && j.progress > 0; });
  const auto t0 = std::chrono::steady_clock::now();
  auto c = engine.cancel(user_of("inst-a", "u1", access::Role::institution_admin), e->job.id);
  ASSERT_TRUE(c.is_ok());
  EXPECT_TRUE(c->cancel_requested);
  Job done = wait_terminal(engine, e->job.id);
  EXPECT_EQ(done.state, JobState::cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(JobsTest, CancellationRequestedByAnotherProcessReachesTheHandlerAtHeartbeat) {
  auto options = fast_options();
  options.lease_ms = 600;  // heartbeat every 200 ms
  JobEngine engine(*catalog_, options);
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("test.sleep", {{"ms", 20000}, {"steps", 100}}));
  ASSERT_TRUE(e.is_ok());
  wait_until(engine, e->job.id, [](const Job& j) { return j.state == JobState::running; });
  // What another server sharing the catalog does: only the row changes.
  ASSERT_TRUE(engine.store().request_cancel(e->job.id, now_ms()).is_ok());
  EXPECT_EQ(wait_terminal(engine, e->job.id, std::chrono::seconds(5)).state, JobState::cancelled);
}

TEST_F(JobsTest, RunningJobOfADeadProcessIsRequeuedOnStartAndCounted) {
  {
    JobEngine engine(*catalog_, fast_options());
    register_test_handlers(engine);
    auto e = engine.enqueue(request("test.noop"));
    ASSERT_TRUE(e.is_ok());
  }
  // A row as a crashed server leaves it: running, attempt 1 counted, lease
  // still valid for a minute, owner a process on this host that is gone.
  const std::int64_t now = now_ms();
  ASSERT_TRUE(exec("UPDATE jobs SET state = 'running', attempts = 1, lease_owner = $1, lease_expires_at = $2, "
                   "started_at = $3",
                   {testing_host() + "/999999999/deadbeef", now + 60000, now})
                  .is_ok());
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto list = engine.store().list({});
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  Job done = wait_terminal(engine, list->front().id);
  EXPECT_EQ(done.state, JobState::succeeded);
  EXPECT_EQ(done.attempts, 2);  // the interrupted attempt counts
}

TEST_F(JobsTest, ExpiredLeaseOfAnotherHostIsRequeuedButALiveLeaseIsNot) {
  JobEngine setup(*catalog_, fast_options());
  register_test_handlers(setup);
  auto live = setup.enqueue(request("test.noop", {{"k", "live"}}));
  auto expired = setup.enqueue(request("test.noop", {{"k", "expired"}}));
  ASSERT_TRUE(live.is_ok() && expired.is_ok());
  const std::int64_t now = now_ms();
  ASSERT_TRUE(exec("UPDATE jobs SET state = 'running', attempts = 1, lease_owner = 'other-host/1/aa', "
                   "lease_expires_at = $2 WHERE id = $1",
                   {live->job.id, now + 60000})
                  .is_ok());
  ASSERT_TRUE(exec("UPDATE jobs SET state = 'running', attempts = 1, lease_owner = 'other-host/1/bb', "
                   "lease_expires_at = $2 WHERE id = $1",
                   {expired->job.id, now - 1})
                  .is_ok());
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  EXPECT_EQ(wait_terminal(engine, expired->job.id).state, JobState::succeeded);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto j = engine.find(live->job.id);
  EXPECT_EQ((*j)->state, JobState::running);  // its owner may still be working on it
}

TEST_F(JobsTest, InterruptedJobWithoutAttemptsLeftFails) {
  JobEngine setup(*catalog_, fast_options());
  auto r = request("test.noop");
  r.max_attempts = 1;
  auto e = setup.enqueue(r);
  ASSERT_TRUE(e.is_ok());
  ASSERT_TRUE(exec("UPDATE jobs SET state = 'running', attempts = 1, lease_owner = 'x/1/y', lease_expires_at = 0")
                  .is_ok());
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  Job j = wait_terminal(engine, e->job.id);
  EXPECT_EQ(j.state, JobState::failed);
  EXPECT_EQ(j.error_code.value_or(""), "job_interrupted");
}

TEST_F(JobsTest, GracefulStopRequeuesRunningJobWithoutCountingTheAttempt) {
  std::string id;
  {
    JobEngine engine(*catalog_, fast_options());
    register_test_handlers(engine);
    ASSERT_TRUE(engine.start().is_ok());
    auto e = engine.enqueue(request("test.sleep", {{"ms", 20000}, {"steps", 100}}));
    ASSERT_TRUE(e.is_ok());
    id = e->job.id;
    wait_until(engine, id, [](const Job& j) { return j.state == JobState::running; });
    engine.stop();
    auto j = engine.find(id);
    EXPECT_EQ((*j)->state, JobState::queued);
    EXPECT_EQ((*j)->attempts, 0);
  }
}

TEST_F(JobsTest, JobsOfUnregisteredTypesWaitInTheQueue) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("app.run"));
  ASSERT_TRUE(e.is_ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ((*engine.find(e->job.id))->state, JobState::queued);
  engine.register_handler("app.run", std::make_shared<RecordingHandler>());
  EXPECT_EQ(wait_terminal(engine, e->job.id).state, JobState::succeeded);
}

// Fails its first run, succeeds afterwards (e.g. a node that was misconfigured).
class FailOnceHandler : public JobHandler {
 public:
  Result<nlohmann::json> run(const Job&, JobContext&) override {
    if (calls_++ == 0) return make_error(ErrorCode::invalid_argument, "first run fails");
    return nlohmann::json{{"calls", calls_.load()}};
  }
  std::atomic<int> calls_{0};
};

TEST_F(JobsTest, RetryAfterFailureQueuesAgainWithFreshAttempts) {
  JobEngine engine(*catalog_, fast_options());
  engine.register_handler("once", std::make_shared<FailOnceHandler>());
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("once"));
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ(wait_terminal(engine, e->job.id).state, JobState::failed);
  const auto owner = user_of("inst-a", "u1", access::Role::institution_admin);
  auto r = engine.retry(owner, e->job.id);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->state, JobState::queued);
  EXPECT_EQ(r->attempts, 0);
  Job done = wait_terminal(engine, e->job.id);
  EXPECT_EQ(done.state, JobState::succeeded);
  // Only failed or cancelled jobs can be retried.
  EXPECT_EQ(engine.retry(owner, e->job.id).status().code(), ErrorCode::conflict);
}

TEST_F(JobsTest, TenancyHidesOtherInstitutionsJobs) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  auto a = engine.submit(user_of("inst-a", "alice"), request("test.noop", {}, ""));
  auto b = engine.submit(user_of("inst-b", "bob"), request("test.noop", {}, ""));
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->job.institution_id, "inst-a");
  EXPECT_EQ(a->job.created_by, "alice");
  EXPECT_EQ(engine.get(user_of("inst-b", "bob"), a->job.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(engine.cancel(user_of("inst-b", "bob"), a->job.id).status().code(), ErrorCode::not_found);
  auto list_b = engine.list(user_of("inst-b", "bob"), {});
  ASSERT_TRUE(list_b.is_ok());
  ASSERT_EQ(list_b->size(), 1u);
  EXPECT_EQ(list_b->front().id, b->job.id);
  auto admin = engine.list(user_of("platform", "root", access::Role::admin), {});
  ASSERT_TRUE(admin.is_ok());
  EXPECT_EQ(admin->size(), 2u);
  // Submitting for another institution is refused; unknown types too.
  EXPECT_EQ(engine.submit(user_of("inst-b", "bob"), request("test.noop", {}, "inst-a")).status().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(engine.submit(user_of("inst-b", "bob"), request("nope", {}, "")).status().code(),
            ErrorCode::invalid_argument);
  // A colleague sees the job but may not cancel it; the institution admin may.
  EXPECT_EQ(engine.cancel(user_of("inst-a", "carol"), a->job.id).status().code(), ErrorCode::forbidden);
  EXPECT_TRUE(engine.cancel(user_of("inst-a", "dave", access::Role::institution_admin), a->job.id).is_ok());
}

TEST_F(JobsTest, ListByStudyFindsTheJobsOfThoseStudiesOnly) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  const auto alice = user_of("inst-a", "alice");
  auto on = [&](const char* study) {
    auto r = engine.submit(alice, request("test.noop", {{"study_uid", study}}, ""));
    EXPECT_TRUE(r.is_ok());
    return r->job.id;
  };
  const std::string a1 = on("1.2.3"), a2 = on("1.2.3"), b = on("1.2.4");
  on("1.2.5");
  ASSERT_TRUE(engine.submit(alice, request("test.noop", {{"study_uid", 7}}, "")).is_ok());  // not a UID: no study
  ASSERT_TRUE(engine.submit(user_of("inst-b", "bob"), request("test.noop", {{"study_uid", "1.2.3"}}, "")).is_ok());
  auto ids = [&](std::vector<std::string> studies) {
    std::set<std::string> out;
    auto list = engine.list(alice, {.study_uids = std::move(studies)});
    EXPECT_TRUE(list.is_ok());
    for (const auto& j : *list) out.insert(j.id);
    return out;
  };
  EXPECT_EQ(ids({"1.2.3"}), (std::set<std::string>{a1, a2}));  // bob's job on the same UID stays hidden
  EXPECT_EQ(ids({"1.2.3", "1.2.4"}), (std::set<std::string>{a1, a2, b}));
  EXPECT_TRUE(ids({"9.9"}).empty());
  EXPECT_EQ(ids({}).size(), 5u);  // no study filter
}

TEST_F(JobsTest, WaitForChangeReturnsOnProgressAndOnTimeout) {
  JobEngine engine(*catalog_, fast_options());
  register_test_handlers(engine);
  auto e = engine.enqueue(request("test.sleep", {{"ms", 600}, {"steps", 3}}));
  ASSERT_TRUE(e.is_ok());
  const auto who = user_of("inst-a");
  // Nothing happens while the engine is stopped: returns after the timeout.
  auto t0 = std::chrono::steady_clock::now();
  auto same = engine.wait_for_change(who, e->job.id, e->job.version, std::chrono::milliseconds(300));
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(same->version, e->job.version);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(290));
  ASSERT_TRUE(engine.start().is_ok());
  std::int64_t version = e->job.version;
  std::vector<std::string> states;
  for (int i = 0; i < 50; ++i) {
    auto j = engine.wait_for_change(who, e->job.id, version, std::chrono::seconds(5));
    ASSERT_TRUE(j.is_ok());
    EXPECT_GT(j->version, version);
    version = j->version;
    states.emplace_back(state_name(j->state));
    if (is_terminal(j->state)) break;
  }
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), "succeeded");
  EXPECT_NE(std::find(states.begin(), states.end(), "running"), states.end());
}

}  // namespace
}  // namespace medai::jobs

#pragma once
// A fresh migrated catalog in a temp folder and helpers to drive the engine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "jobs/job_engine.h"
#include "storage/catalog.h"
#include "support/temp_dir.h"

namespace medai::jobs {

inline std::string testing_host() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

inline access::Principal user_of(std::string institution, std::string user = "u1",
                                 access::Role role = access::Role::doctor) {
  access::Principal p;
  p.user_id = std::move(user);
  p.username = p.user_id;
  p.institution_id = std::move(institution);
  p.roles = {role};
  return p;
}

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::SqliteOptions o;
    o.path = dir_ / "catalog.sqlite";
    auto c = storage::open_sqlite_catalog(o);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    catalog_ = std::move(c).value();
  }

  static JobEngineOptions fast_options(int workers = 2) {
    JobEngineOptions o;
    o.workers = workers;
    o.poll_interval_ms = 20;
    o.lease_ms = 3000;
    o.retry_base_ms = 50;
    o.retry_max_ms = 400;
    o.default_max_attempts = 3;
    return o;
  }

  JobRequest request(std::string type, nlohmann::json input = nlohmann::json::object(),
                     std::string institution = "inst-a") {
    JobRequest r;
    r.type = std::move(type);
    r.institution_id = std::move(institution);
    r.input = std::move(input);
    return r;
  }

  // Polls until `pred(job)` or the timeout; returns the last seen job.
  Job wait_until(JobEngine& engine, const std::string& id, const std::function<bool(const Job&)>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Job last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto j = engine.find(id);
      EXPECT_TRUE(j.is_ok());
      if (j.is_ok() && j->has_value()) {
        last = **j;
        if (pred(last)) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "timed out waiting for job " << id << " (state " << state_name(last.state) << ")";
    return last;
  }
  Job wait_terminal(JobEngine& engine, const std::string& id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return wait_until(engine, id, [](const Job& j) { return is_terminal(j.state); }, timeout);
  }

  Status exec(const std::string& sql, storage::Params params = {}) {
    return storage::with_transaction(*catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
      return tx.exec(sql, params).status();
    });
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Catalog> catalog_;
};

}  // namespace medai::jobs

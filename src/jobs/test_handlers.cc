#include "jobs/test_handlers.h"

namespace medai::jobs {
namespace {

class NoopHandler : public JobHandler {
 public:
  Result<nlohmann::json> run(const Job& job, JobContext&) override { return nlohmann::json{{"echo", job.input}}; }
};

class SleepHandler : public JobHandler {
 public:
  Result<nlohmann::json> run(const Job& job, JobContext& ctx) override {
    const std::int64_t ms = std::clamp<std::int64_t>(job.input.value("ms", 100), 0, 600000);
    const std::int64_t steps = std::clamp<std::int64_t>(job.input.value("steps", 10), 1, 1000);
    for (std::int64_t i = 0; i < steps; ++i) {
      if (!ctx.sleep_for(std::chrono::milliseconds(ms / steps)))
        return make_error(ErrorCode::conflict, "cancelled");
      ctx.progress(static_cast<double>(i + 1) / static_cast<double>(steps),
                   "step " + std::to_string(i + 1) + " of " + std::to_string(steps));
    }
    return nlohmann::json{{"slept_ms", ms}};
  }
};

class FailHandler : public JobHandler {
 public:
  Result<nlohmann::json> run(const Job& job, JobContext& ctx) override {
    const auto code = error_code_from_name(job.input.value("code", std::string("internal")));
    const std::int64_t times = job.input.value("times", std::int64_t{1} << 40);
    if (job.input.value("throw", false)) throw std::runtime_error("test handler exception");
    if (ctx.attempt() <= times)
      return make_error(code.value_or(ErrorCode::internal), "test failure on attempt " + std::to_string(ctx.attempt()));
    return nlohmann::json{{"succeeded_on_attempt", ctx.attempt()}};
  }
};

}  // namespace

void register_test_handlers(JobEngine& engine) {
  engine.register_handler("test.noop", std::make_shared<NoopHandler>());
  engine.register_handler("test.sleep", std::make_shared<SleepHandler>());
  engine.register_handler("test.fail", std::make_shared<FailHandler>());
}

}  // namespace medai::jobs

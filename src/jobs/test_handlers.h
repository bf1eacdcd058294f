#pragma once
// Built-in job types for tests and benchmarks, registered only when
// jobs.enable_test_handlers is true (never in production by default):
//   test.noop   returns {"echo": input}
//   test.sleep  {"ms": n, "steps": k}: sleeps n ms in k steps reporting
//               progress; stops early when cancelled
//   test.fail   {"code": "<error code>", "times": n}: fails with that code
//               on the first n attempts (all when n is absent), then succeeds
#include "jobs/job_engine.h"

namespace medai::jobs {

void register_test_handlers(JobEngine& engine);

}  // namespace medai::jobs

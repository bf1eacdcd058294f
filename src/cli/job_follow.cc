#include "cli/job_follow.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"

namespace medai::cli {
namespace {

using nlohmann::json;

void draw_progress(const json& job) {
  const double fraction = std::clamp(job.value("progress", 0.0), 0.0, 1.0);
  const int width = 30, filled = static_cast<int>(std::lround(fraction * width));
  std::ostringstream line;
  line << "[" << std::string(static_cast<std::size_t>(filled), '#')
       << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << std::setw(3)
       << static_cast<int>(std::lround(fraction * 100)) << "% " << job.value("state", "") << " "
       << job.value("progress_message", "");
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  std::cerr << (tty ? "\r\033[K" : "") << line.str() << (tty ? "" : "\n") << std::flush;
}

}  // namespace

bool job_state_is_terminal(const std::string& s) { return s == "succeeded" || s == "failed" || s == "cancelled"; }

json follow_job(const ApiClient& client, const std::string& id) {
  std::int64_t version = -1;
  json job;
  while (true) {
    auto r = client.call("GET", version < 0 ? "/api/v1/jobs/" + id
                                            : "/api/v1/jobs/" + id + "?wait=30&after_version=" + std::to_string(version));
    if (!r) fail(r.status());
    job = *r;
    if (job.value("version", std::int64_t{0}) != version) {
      version = job.value("version", std::int64_t{0});
      draw_progress(job);
    }
    if (job_state_is_terminal(job.value("state", ""))) break;
  }
  if (::isatty(STDERR_FILENO)) std::cerr << "\n";
  return job;
}

int exit_code_of_job(const json& job) {
  const std::string state = job.value("state", "");
  return state == "succeeded" ? 0 : state == "failed" ? 2 : 3;
}

}  // namespace medai::cli

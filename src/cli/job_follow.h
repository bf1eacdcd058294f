#pragma once
// Following a job of a running server from the CLI: long polls of
// GET /api/v1/jobs/{id}?wait=30&after_version=v until the job ends, with a
// progress bar on stderr (redrawn in place on a terminal, a line per change
// otherwise). Used by `medai train` and `medai evaluate`.
#include <nlohmann/json.hpp>
#include <string>

#include "cli/api_client.h"

namespace medai::cli {

bool job_state_is_terminal(const std::string& state);  // succeeded | failed | cancelled

// The job's JSON once it has ended (fails the command on an API error).
nlohmann::json follow_job(const ApiClient& client, const std::string& id);

// 0 succeeded, 2 failed, 3 cancelled (the CLI's exit codes for a followed job).
int exit_code_of_job(const nlohmann::json& job);

}  // namespace medai::cli

// medai jobs list|show|submit|cancel|retry|wait: background jobs of a running
// server (REST /api/v1/jobs), with --server/--token.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/api_client.h"
#include "cli/commands.h"

namespace medai::cli {
namespace {

struct JobFlags {
  ServerFlags server;
  std::string id, state, type, input = "{}", idempotency_key;
  int limit = 50;
  int timeout_s = 600;
  bool json = false;
};

bool terminal(const std::string& state) { return state == "succeeded" || state == "failed" || state == "cancelled"; }

// Exit code of `wait`: 0 succeeded, 2 failed, 3 cancelled, 4 timed out.
int exit_code_of(const std::string& state) {
  if (state == "succeeded") return 0;
  if (state == "failed") return 2;
  if (state == "cancelled") return 3;
  return 4;
}

void print_table(const nlohmann::json& items) {
  std::cout << std::left << std::setw(30) << "ID" << std::setw(18) << "TYPE" << std::setw(11) << "STATE"
            << std::setw(9) << "PROGRESS" << std::setw(9) << "ATTEMPTS" << "CREATED\n";
  for (const auto& j : items) {
    std::ostringstream progress;
    progress << std::fixed << std::setprecision(0) << j.value("progress", 0.0) * 100 << "%";
    std::cout << std::setw(30) << j.value("id", "") << std::setw(18) << j.value("type", "") << std::setw(11)
              << j.value("state", "") << std::setw(9) << progress.str() << std::setw(9)
              << (std::to_string(j.value("attempts", 0)) + "/" + std::to_string(j.value("max_attempts", 0)))
              << j.value("created_at", "") << "\n";
  }
}

}  // namespace

void add_job_commands(CLI::App& app) {
  auto* jobs = app.add_subcommand("jobs", "Background jobs of a running server (list, show, submit, cancel, retry, wait)");
  jobs->require_subcommand(1);
  auto f = std::make_shared<JobFlags>();

  auto* list = jobs->add_subcommand("list", "List jobs (newest first)");
  f->server.add_to(*list);
  list->add_option("--state", f->state, "queued | running | succeeded | failed | cancelled");
  list->add_option("--type", f->type, "job type");
  list->add_option("--limit", f->limit, "at most this many")->check(CLI::Range(1, 1000));
  list->add_flag("--json", f->json, "print JSON instead of a table");
  list->callback([f] {
    std::string path = "/api/v1/jobs?limit=" + std::to_string(f->limit);
    if (!f->state.empty()) path += "&state=" + f->state;
    if (!f->type.empty()) path += "&type=" + f->type;
    auto r = ApiClient(f->server.server, f->server.token).call("GET", path);
    if (!r) fail(r.status());
    if (f->json)
      std::cout << (*r)["items"].dump(2) << "\n";
    else
      print_table((*r)["items"]);
  });

  auto* show = jobs->add_subcommand("show", "Show one job as JSON");
  f->server.add_to(*show);
  show->add_option("id", f->id, "job id")->required();
  show->callback([f] {
    auto r = ApiClient(f->server.server, f->server.token).call("GET", "/api/v1/jobs/" + f->id);
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* submit = jobs->add_subcommand("submit", "Submit a job of a registered type");
  f->server.add_to(*submit);
  submit->add_option("type", f->type, "job type")->required();
  submit->add_option("--input", f->input, "input JSON object");
  submit->add_option("--idempotency-key", f->idempotency_key, "same key returns the existing job");
  submit->callback([f] {
    auto input = nlohmann::json::parse(f->input, nullptr, false);
    if (input.is_discarded() || !input.is_object())
      fail(make_error(ErrorCode::invalid_argument, "--input must be a JSON object"));
    nlohmann::json body = {{"type", f->type}, {"input", input}};
    if (!f->idempotency_key.empty()) body["idempotency_key"] = f->idempotency_key;
    auto r = ApiClient(f->server.server, f->server.token).call("POST", "/api/v1/jobs", body);
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  for (const char* action : {"cancel", "retry"}) {
    auto* cmd = jobs->add_subcommand(action, std::string(action) == "cancel"
                                                 ? "Cancel a queued or running job"
                                                 : "Queue a failed or cancelled job again");
    f->server.add_to(*cmd);
    cmd->add_option("id", f->id, "job id")->required();
    cmd->callback([f, action] {
      auto r = ApiClient(f->server.server, f->server.token)
                   .call("POST", "/api/v1/jobs/" + f->id + "/" + action, nlohmann::json::object());
      if (!r) fail(r.status());
      std::cout << r->dump(2) << "\n";
    });
  }

  auto* wait = jobs->add_subcommand(
      "wait", "Wait until a job finishes, printing progress; exit 0 succeeded, 2 failed, 3 cancelled, 4 timed out");
  f->server.add_to(*wait);
  wait->add_option("id", f->id, "job id")->required();
  wait->add_option("--timeout", f->timeout_s, "give up after this many seconds")->check(CLI::Range(1, 86400));
  wait->callback([f] {
    ApiClient client(f->server.server, f->server.token);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(f->timeout_s);
    std::int64_t version = -1;
    nlohmann::json job;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
      const std::int64_t wait_s = std::clamp<std::int64_t>(left.count(), 1, 30);
      // The first call returns at once; then each waits for the next change.
      auto r = client.call("GET", version < 0 ? "/api/v1/jobs/" + f->id
                                              : "/api/v1/jobs/" + f->id + "?wait=" + std::to_string(wait_s) +
                                                    "&after_version=" + std::to_string(version));
      if (!r) fail(r.status());
      job = *r;
      const std::string state = job.value("state", "");
      if (job.value("version", std::int64_t{0}) != version) {
        version = job.value("version", std::int64_t{0});
        std::cerr << state << " " << std::fixed << std::setprecision(0) << job.value("progress", 0.0) * 100 << "% "
                  << job.value("progress_message", "") << "\n";
      }
      if (terminal(state) || std::chrono::steady_clock::now() >= deadline) break;
    }
    std::cout << job.dump(2) << "\n";
    const int code = exit_code_of(job.value("state", ""));
    if (code != 0) exit_with(code);
  });
}

}  // namespace medai::cli

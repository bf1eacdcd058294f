// medai train: start a training job on a running server and follow it with a
// progress bar on stderr (--no-follow: print the job and return), plus
// train status|list|cancel|report. Exit codes of a followed job: 0 succeeded,
// 2 failed, 3 cancelled.
#include <chrono>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/job_follow.h"
#include "core/files.h"
#include "packages/package_builder.h"
#include "packages/signing.h"

namespace medai::cli {
namespace {

using nlohmann::json;

struct TrainFlags {
  ServerFlags server;
  std::string dataset, architecture, task = "classification", hyper = "{}", id, out;
  std::int64_t version = 0, threads = 0;
  std::int64_t seed = -1;
  bool no_follow = false, html = false;
  std::string app_name, app_version, key_file, display_name, intended_use, licence, overlay_file;
  int limit = 50;
};

int follow(const ApiClient& client, const std::string& id) {
  const json job = follow_job(client, id);
  auto full = client.call("GET", "/api/v1/training-jobs/" + id);
  if (!full) fail(full.status());
  json summary = *full;
  summary.erase("history");
  std::cout << summary.dump(2) << "\n";
  const std::string state = job.value("state", "");
  if (state == "failed")
    std::cerr << "training failed: " << job.value("error_code", "") << ": " << job.value("error_message", "") << "\n";
  return exit_code_of_job(job);
}

void print_list(const json& items) {
  std::cout << std::left << std::setw(30) << "ID" << std::setw(11) << "STATE" << std::setw(9) << "PROGRESS"
            << std::setw(12) << "ARCH" << std::setw(30) << "DATASET" << "CREATED\n";
  for (const auto& j : items) {
    std::ostringstream progress;
    progress << std::fixed << std::setprecision(0) << j.value("progress", 0.0) * 100 << "%";
    std::cout << std::setw(30) << j.value("id", "") << std::setw(11) << j.value("state", "") << std::setw(9)
              << progress.str() << std::setw(12) << j.value("architecture", "") << std::setw(30)
              << (j.value("dataset_id", "") + " v" + std::to_string(j.value("dataset_version", 0)))
              << j.value("created_at", "") << "\n";
  }
}

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string query_value(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

void add_train_commands(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* train = app.add_subcommand(
      "train", "Train a model on a running server (POST /api/v1/training-jobs) and follow its progress; "
               "subcommands: status, list, cancel, report, package, publish");
  f->server.add_to(*train);
  train->add_option("--dataset", f->dataset, "dataset id");
  train->add_option("--dataset-version", f->version, "frozen version (default: the latest frozen)");
  train->add_option("--architecture", f->architecture, "xgboost | unet3d | detector3d | resnet2d");
  train->add_option("--task", f->task, "classification | regression (xgboost) | segmentation | detection");
  train->add_option("--hyper", f->hyper, "hyper-parameters as a JSON object, or @file.json");
  train->add_option("--seed", f->seed, "random seed (same seed, same metrics)");
  train->add_option("--threads", f->threads, "threads (capped by the server)");
  train->add_flag("--no-follow", f->no_follow, "print the queued job and return");
  train->require_subcommand(0, 1);
  train->callback([f, train] {
    if (!train->get_subcommands().empty()) return;  // a subcommand did the work
    if (f->dataset.empty() || f->architecture.empty()) {
      std::cerr << "medai train needs --dataset and --architecture (or a subcommand: status, list, cancel, report)\n";
      exit_with(1);
    }
    std::string hyper_text = f->hyper;
    if (!hyper_text.empty() && hyper_text[0] == '@') {
      std::ifstream in(hyper_text.substr(1));
      if (!in) fail(make_error(ErrorCode::invalid_argument, "cannot read " + hyper_text.substr(1)));
      std::stringstream ss;
      ss << in.rdbuf();
      hyper_text = ss.str();
    }
    json hyper = json::parse(hyper_text, nullptr, false);
    if (!hyper.is_object()) fail(make_error(ErrorCode::invalid_argument, "--hyper must be a JSON object"));
    json body = {{"dataset_id", f->dataset}, {"architecture", f->architecture}, {"task", f->task}, {"hyper", hyper}};
    if (f->version > 0) body["dataset_version"] = f->version;
    if (f->seed >= 0) body["seed"] = f->seed;
    if (f->threads > 0) body["threads"] = f->threads;
    ApiClient client(f->server.server, f->server.token);
    auto created = client.call("POST", "/api/v1/training-jobs", body);
    if (!created) {
      // 422: one line per problem, so a user fixes them all at once.
      if (created.status().detail().contains("problems"))
        for (const auto& p : created.status().detail()["problems"])
          std::cerr << "  " << p.value("field", "") << ": " << p.value("message", "") << "\n";
      fail(created.status());
    }
    const std::string id = (*created)["id"];
    if (f->no_follow) {
      std::cout << created->dump(2) << "\n";
      return;
    }
    std::cerr << "training job " << id << "\n";
    const int code = follow(client, id);
    if (code != 0) exit_with(code);
  });

  auto* status = train->add_subcommand("status", "Show a training job with its epoch history");
  f->server.add_to(*status);
  status->add_option("id", f->id, "training job id")->required();
  status->callback([f] {
    auto r = ApiClient(f->server.server, f->server.token).call("GET", "/api/v1/training-jobs/" + f->id);
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* list = train->add_subcommand("list", "List training jobs");
  f->server.add_to(*list);
  list->add_option("--limit", f->limit, "at most this many")->check(CLI::Range(1, 1000));
  list->callback([f] {
    auto r = ApiClient(f->server.server, f->server.token)
                 .call("GET", "/api/v1/training-jobs?limit=" + std::to_string(f->limit));
    if (!r) fail(r.status());
    print_list((*r)["items"]);
  });

  auto* cancel = train->add_subcommand("cancel", "Cancel a training job");
  f->server.add_to(*cancel);
  cancel->add_option("id", f->id, "training job id")->required();
  cancel->callback([f] {
    auto r = ApiClient(f->server.server, f->server.token)
                 .call("POST", "/api/v1/training-jobs/" + f->id + "/cancel", json::object());
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  // The job's unsigned package from the server, with the optional manifest
  // overlay (RFC 7386 merge patch) applied here.
  auto fetch_package = [](const TrainFlags& fl, const ApiClient& client) {
    std::string path = "/api/v1/training-jobs/" + fl.id + "/package?name=" + query_value(fl.app_name) +
                       "&version=" + query_value(fl.app_version);
    if (!fl.display_name.empty()) path += "&display_name=" + query_value(fl.display_name);
    if (!fl.intended_use.empty()) path += "&intended_use=" + query_value(fl.intended_use);
    if (!fl.licence.empty()) path += "&licence=" + query_value(fl.licence);
    auto package = client.get_text(path);
    if (!package) fail(package.status());
    if (fl.overlay_file.empty()) return std::move(*package);
    auto text = read_file(fl.overlay_file);
    if (!text) fail(text.status());
    const json overlay = json::parse(*text, nullptr, false);
    if (overlay.is_discarded())
      fail(make_error(ErrorCode::invalid_argument, "--manifest-overlay is not JSON: " + fl.overlay_file));
    auto patched = packages::patch_package_manifest(*package, overlay);
    if (!patched) fail(patched.status());
    return std::move(*patched);
  };
  auto add_package_options = [f](CLI::App* cmd) {
    f->server.add_to(*cmd);
    cmd->add_option("id", f->id, "training job id")->required();
    cmd->add_option("--name", f->app_name, "app name (lower-case handle)")->required();
    cmd->add_option("--version", f->app_version, "semantic version, e.g. 1.0.0")->required();
    cmd->add_option("--display-name", f->display_name, "shown name");
    cmd->add_option("--intended-use", f->intended_use, "intended use statement");
    cmd->add_option("--licence", f->licence, "licence (default proprietary)");
    cmd->add_option("--manifest-overlay", f->overlay_file,
                    "JSON merge patch (RFC 7386) applied to the generated manifest (writers, labels, metrics, ...)")
        ->check(CLI::ExistingFile);
  };

  auto* package = train->add_subcommand(
      "package", "Write a finished training job's app package, unsigned (to evaluate it before signing)");
  add_package_options(package);
  package->add_option("-o,--out", f->out, "package file to write")->required();
  package->callback([f, fetch_package] {
    const std::string bytes = fetch_package(*f, ApiClient(f->server.server, f->server.token));
    if (Status s = write_file(f->out, bytes); !s) fail(s);
    std::cout << "wrote " << f->out << " (unsigned)\n";
  });

  auto* publish = train->add_subcommand(
      "publish", "Package a finished training job as an app, sign it here with the vendor key and publish it "
                 "(partners)");
  add_package_options(publish);
  publish->add_option("--key", f->key_file, "secret key file (medai app keygen)")->required()->check(CLI::ExistingFile);
  publish->add_option("-o,--out", f->out, "also keep the signed package in this file");
  publish->callback([f, fetch_package] {
    auto key_text = read_file(f->key_file);
    if (!key_text) fail(key_text.status());
    auto key = packages::parse_key_json(*key_text);
    if (!key) fail(key.status());
    if (key->secret_key.empty()) fail(make_error(ErrorCode::invalid_argument, "--key must be a secret key file"));
    ApiClient client(f->server.server, f->server.token);
    const std::string unsigned_package = fetch_package(*f, client);
    auto signed_package = packages::sign_package_archive(unsigned_package, *key);
    if (!signed_package) fail(signed_package.status());
    if (!f->out.empty())
      if (Status s = write_file(f->out, *signed_package); !s) fail(s);
    auto r = client.send_bytes("POST", "/api/v1/apps", *signed_package, "application/zip");
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* report = train->add_subcommand("report", "The evaluation report (JSON, or --html) to stdout or --out");
  f->server.add_to(*report);
  report->add_option("id", f->id, "training job id")->required();
  report->add_flag("--html", f->html, "the self-contained HTML page instead of JSON");
  report->add_option("--out", f->out, "write to this file");
  report->callback([f] {
    ApiClient client(f->server.server, f->server.token);
    std::string text;
    if (f->html) {
      auto r = client.get_text("/api/v1/training-jobs/" + f->id + "/report.html");
      if (!r) fail(r.status());
      text = std::move(*r);
    } else {
      auto r = client.call("GET", "/api/v1/training-jobs/" + f->id + "/report");
      if (!r) fail(r.status());
      text = r->dump(2) + "\n";
    }
    if (f->out.empty()) {
      std::cout << text;
      return;
    }
    std::ofstream out(f->out, std::ios::binary);
    out << text;
    if (!out) fail(make_error(ErrorCode::io_error, "cannot write " + f->out));
  });
}

}  // namespace medai::cli

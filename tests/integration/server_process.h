#pragma once
// Starts the real `medai serve` binary on port 0 in a temp data folder and
// stops it at the end of the test. Stdout is captured (first-start
// credentials); the bound port comes from --ready-file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/test_client.h"
#include "support/temp_dir.h"

namespace medai::testing {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `medai args...` to completion; returns exit code, stdout, stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

inline CommandResult run_medai(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                               const std::map<std::string, std::string>& env = {}) {
  const auto out = scratch / "cmd.out", err = scratch / "cmd.err";
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(err.c_str(), "w", stderr);
    std::vector<char*> argv{const_cast<char*>(MEDAI_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(MEDAI_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

class ServerProcess {
 public:
  // extra_env: e.g. {"MEDAI_HTTP_HEADER_TIMEOUT_MS", "300"}.
  // extra_args: more `medai serve` arguments, e.g. {"--demo"}.
  explicit ServerProcess(std::filesystem::path data_dir, std::map<std::string, std::string> extra_env = {},
                         std::vector<std::string> extra_args = {})
      : data_dir_(std::move(data_dir)) {
    std::filesystem::create_directories(data_dir_);
    ready_ = data_dir_.parent_path() / (data_dir_.filename().string() + ".ready");
    stdout_ = data_dir_.parent_path() / (data_dir_.filename().string() + ".stdout");
    std::filesystem::remove(ready_);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Tests run in parallel: the DIMSE listener takes a free port too.
      ::setenv("MEDAI_DICOM_PORT", "0", 1);
      for (const auto& [k, v] : extra_env) ::setenv(k.c_str(), v.c_str(), 1);
      std::freopen(stdout_.c_str(), "w", stdout);
      const std::string log = (data_dir_.parent_path() / (data_dir_.filename().string() + ".log")).string();
      std::freopen(log.c_str(), "w", stderr);
      std::vector<std::string> args = {MEDAI_BINARY, "serve", "--port", "0", "--data-dir", data_dir_.string(),
                                       "--ready-file", ready_.string()};
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(MEDAI_BINARY, argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::filesystem::exists(ready_)) {
        std::istringstream ports(read_file(ready_));
        int http = 0, dimse = 0;
        ports >> http >> dimse;
        port_ = static_cast<std::uint16_t>(http);
        dimse_port_ = static_cast<std::uint16_t>(dimse);
        break;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  ~ServerProcess() { stop(); }

  // SIGTERM and wait: the graceful path an operator uses.
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // SIGKILL: a crash or power cut as far as the data folder can tell.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  bool running() const { return pid_ > 0 && port_ != 0; }
  std::uint16_t port() const { return port_; }
  std::uint16_t dimse_port() const { return dimse_port_; }  // 0 when DIMSE is disabled
  std::string stdout_text() const { return read_file(stdout_); }
  std::string log_text() const {
    return read_file(data_dir_.parent_path() / (data_dir_.filename().string() + ".log"));
  }
  // "password:  XXXX" from the first-start banner, or "".
  std::string first_admin_password() const {
    const std::string out = stdout_text();
    const auto pos = out.find("password:");
    if (pos == std::string::npos) return {};
    std::istringstream line(out.substr(pos + 9));
    std::string pw;
    line >> pw;
    return pw;
  }

 private:
  std::filesystem::path data_dir_, ready_, stdout_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t dimse_port_ = 0;
};

// True once the server has printed `text` on stdout (within `seconds`).
inline bool wait_for_output(const ServerProcess& server, const std::string& text, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (server.stdout_text().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// JSON helpers over the raw client.
struct Api {
  std::uint16_t port;
  std::string token;

  std::optional<http::testing::RawResponse> call(const std::string& method, const std::string& target,
                                                 const std::string& body = "", const std::string& headers = "") const {
    std::string h = headers;
    if (!token.empty()) h += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty()) h += "Content-Type: application/json\r\n";
    // Generous: some calls do real work (imports, conversions) on a loaded CI machine.
    return http::testing::fetch(port, method, target, h, body, std::chrono::seconds(60));
  }
  nlohmann::json json(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                      int* status = nullptr) const {
    auto r = call(method, target, body.is_null() ? "" : body.dump());
    if (status) *status = r ? r->status : 0;
    if (!r || r->body.empty()) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
  }
};

// Institutions and users made with the admin CLI on the data folder (the
// way an operator does it); failures are test failures.
struct TestUser {
  std::string username, institution, role;
};
inline void create_institutions_and_users(const std::filesystem::path& data_dir,
                                          const std::vector<std::string>& institutions,
                                          const std::vector<TestUser>& users, const std::filesystem::path& scratch) {
  for (const auto& inst : institutions) {
    auto r = run_medai({"admin", "create-institution", "--data-dir", data_dir.string(), "--name", inst}, scratch);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  for (const auto& u : users) {
    auto r = run_medai({"admin", "create-user", "--data-dir", data_dir.string(), "--username", u.username,
                        "--institution", u.institution, "--role", u.role},
                       scratch);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
}

// A new API token of `user` (admin issue-token), without the trailing newline.
inline std::string issue_token(const std::filesystem::path& data_dir, const std::string& user,
                               const std::filesystem::path& scratch) {
  auto t = run_medai({"admin", "issue-token", "--data-dir", data_dir.string(), "--user", user}, scratch);
  std::string s = t.out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace medai::testing

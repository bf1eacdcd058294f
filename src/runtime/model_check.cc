#include "runtime/model_check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/kserve_json.h"
#include "runtime/model_runtime.h"

extern char** environ;

namespace medai::runtime {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Status bad_manifest(const std::string& why) { return make_error(ErrorCode::invalid_argument, "manifest: " + why); }

// The artifact must be a regular file inside the package folder.
Result<fs::path> artifact_path(const fs::path& dir, const std::string& rel) {
  const fs::path p(rel);
  if (rel.empty() || p.is_absolute()) return bad_manifest("model.artifact must be a relative path");
  for (const auto& part : p)
    if (part == "..") return bad_manifest("model.artifact must not contain '..'");
  std::error_code ec;
  const fs::path full = fs::weakly_canonical(dir / p, ec);
  const fs::path root = fs::weakly_canonical(dir, ec);
  if (ec || full.string().rfind(root.string() + "/", 0) != 0)
    return bad_manifest("model.artifact leaves the package");
  if (fs::is_symlink(dir / p) || !fs::is_regular_file(full))
    return make_error(ErrorCode::model_load_failed, "model artifact " + rel + " is missing or not a regular file");
  return full;
}

std::vector<std::int64_t> int_array(const json& j) {
  std::vector<std::int64_t> out;
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
  return out;
}

}  // namespace

Result<std::vector<Tensor>> check_inputs(const fs::path& dir, const json& manifest) {
  const fs::path test_input = dir / "test" / "input.json";
  if (fs::is_regular_file(test_input) && !fs::is_symlink(test_input)) {
    std::ifstream in(test_input);
    std::stringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    if (j.is_discarded()) return make_error(ErrorCode::invalid_input, "test/input.json is not valid JSON");
    if (j.is_object() && j.contains("inputs")) j = j["inputs"];
    return tensors_from_kserve(j, "test/input.json inputs");
  }
  const json input = manifest.value("input", json::object());
  if (!input.is_object()) return bad_manifest("input must be an object");
  const std::string kind = input.value("kind", std::string());
  const auto channels = input.value("channels", 1);
  if (channels < 1 || channels > 64) return bad_manifest("input.channels must be 1..64");
  if (kind == "tabular") {
    const auto features = input.value("features", json::array());
    if (!features.is_array() || features.empty()) return bad_manifest("tabular input needs features");
    return std::vector<Tensor>{zeros_f32("features", {1, static_cast<std::int64_t>(features.size())})};
  }
  if (kind == "volume" || kind == "image") {
    const auto patch = int_array(input.value("patch_size", json::array()));
    const std::size_t dims = kind == "volume" ? 3 : 2;
    if (patch.size() != dims) return bad_manifest("input.patch_size needs " + std::to_string(dims) + " sizes");
    std::vector<std::int64_t> shape{1, channels};
    std::int64_t n = channels;
    for (auto d : patch) {
      if (d < 1 || d > 1024) return bad_manifest("input.patch_size values must be 1..1024");
      shape.push_back(d);
      n *= d;
    }
    if (n > (std::int64_t{1} << 28)) return bad_manifest("input.patch_size is too large for a check run");
    return std::vector<Tensor>{zeros_f32("input", shape)};
  }
  return bad_manifest("input.kind must be volume, image or tabular (or ship test/input.json)");
}

Result<json> run_model_check(const fs::path& dir, const json& manifest) {
  if (!manifest.is_object() || !manifest.contains("model") || !manifest["model"].is_object())
    return bad_manifest("model section missing");
  const json& model = manifest["model"];
  if (!model.contains("runtime") || !model["runtime"].is_string()) return bad_manifest("model.runtime missing");
  ModelSpec spec;
  spec.runtime = model["runtime"].get<std::string>();
  spec.key = manifest.value("name", std::string("check")) + "@" + manifest.value("version", std::string("0"));
  spec.threads = model.value("threads", 1);
  if (spec.threads < 1 || spec.threads > 256) return bad_manifest("model.threads must be 1..256");
  if (spec.runtime == "kserve-v2") {
    spec.remote = model.value("remote", json::object());
  } else {
    if (!model.contains("artifact") || !model["artifact"].is_string()) return bad_manifest("model.artifact missing");
    MEDAI_ASSIGN_OR_RETURN(spec.artifact, artifact_path(dir, model["artifact"].get<std::string>()));
  }
  MEDAI_ASSIGN_OR_RETURN(auto runtime, make_runtime(spec.runtime));
  MEDAI_ASSIGN_OR_RETURN(auto inputs, check_inputs(dir, manifest));
  const auto t0 = std::chrono::steady_clock::now();
  MEDAI_RETURN_IF_ERROR(runtime->load(spec));
  const auto t1 = std::chrono::steady_clock::now();
  MEDAI_ASSIGN_OR_RETURN(auto outputs, runtime->infer(inputs));
  const auto t2 = std::chrono::steady_clock::now();
  if (outputs.empty()) return make_error(ErrorCode::inference_failed, "the model returned no output");
  json outs = json::array();
  for (const auto& t : outputs) {
    bool finite = true;
    for (float v : t.f32) finite = finite && std::isfinite(v);
    outs.push_back({{"name", t.name}, {"datatype", std::string(dtype_name(t.dtype))}, {"shape", t.shape},
                    {"finite", finite}});
  }
  using ms = std::chrono::duration<double, std::milli>;
  return json{{"ok", true},
              {"runtime", spec.runtime},
              {"load_ms", ms(t1 - t0).count()},
              {"infer_ms", ms(t2 - t1).count()},
              {"outputs", outs}};
}

namespace {

// Child side after fork: limits, descriptors, exec. Only async-signal-safe
// calls from here on (the parent may have threads).
[[noreturn]] void exec_child(const SandboxLimits& limits, int stdin_fd, int stdout_fd, char* const* argv,
                             char* const* envp) {
  ::dup2(stdin_fd, 0);
  ::dup2(stdout_fd, 1);
  const int devnull = ::open("/dev/null", O_WRONLY);
  if (devnull >= 0) ::dup2(devnull, 2);
  // Close every other descriptor (catalog, sockets, keys stay with the parent).
  struct rlimit nofile {};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  const int max_fd = nofile.rlim_cur == RLIM_INFINITY || nofile.rlim_cur > 65536 ? 65536 : static_cast<int>(nofile.rlim_cur);
  for (int fd = 3; fd < max_fd; ++fd) ::close(fd);
  struct rlimit core {0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  struct rlimit as {limits.address_space_bytes, limits.address_space_bytes};
  ::setrlimit(RLIMIT_AS, &as);
  struct rlimit cpu {limits.cpu_seconds, limits.cpu_seconds + 1};
  ::setrlimit(RLIMIT_CPU, &cpu);
  struct rlimit files {64, 64};
  ::setrlimit(RLIMIT_NOFILE, &files);
  ::setpgid(0, 0);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

Status check_failed(const std::string& reason_code, const std::string& message, json detail = json::object()) {
  detail["reason"] = reason_code;
  return make_error(ErrorCode::model_check_failed, "model check run failed: " + message, detail);
}

}  // namespace

Status check_model_in_sandbox(const fs::path& dir, const json& manifest, const fs::path& medai_binary,
                              const SandboxLimits& limits, json* report) {
  // Everything the child needs is prepared before fork (no allocation after).
  const std::vector<std::string> args{medai_binary.string(), "app", "check-run", fs::absolute(dir).string(),
                                      "--manifest", "-"};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    if (kv.rfind("PATH=", 0) == 0 || kv.rfind("HOME=", 0) == 0 || kv.rfind("LANG=", 0) == 0 ||
        kv.rfind("MEDAI_RUNTIME_", 0) == 0 || kv.rfind("OMP_", 0) == 0)
      env_strings.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string manifest_text = manifest.dump();

  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return make_error(ErrorCode::internal, "pipe failed");
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return make_error(ErrorCode::internal, "pipe failed");
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return make_error(ErrorCode::internal, "fork failed");
  }
  if (pid == 0) exec_child(limits, in_pipe[0], out_pipe[1], argv.data(), envp.data());
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);

  // Feed the manifest (small; a child that never reads it gets EPIPE, ignored).
  {
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
    std::size_t off = 0;
    while (off < manifest_text.size()) {
      const ssize_t n = ::write(in_pipe[1], manifest_text.data() + off, manifest_text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(in_pipe[1]);
    ::sigaction(SIGPIPE, &old, nullptr);
  }

  std::string out;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out_pipe[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;
    char buf[65536];
    const ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child closed stdout (exited)
    if (out.size() < limits.max_output_bytes) out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out_pipe[0]);
  if (timed_out) ::kill(-pid, SIGKILL), ::kill(pid, SIGKILL);
  int status = 0;
  // After EOF the child exits promptly; still bound the wait.
  for (int i = 0; i < 2000; ++i) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (i == 1000) ::kill(-pid, SIGKILL), ::kill(pid, SIGKILL), timed_out = true;
    ::usleep(5000);
  }
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::kill(-pid, SIGKILL);  // stray grandchildren in the child's process group

  if (timed_out)
    return check_failed("timeout", "no result within " + std::to_string(limits.timeout.count()) + " ms");
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const std::string why = sig == SIGXCPU ? "CPU time limit exceeded" : std::string("crashed with signal ") + ::strsignal(sig);
    return check_failed(sig == SIGXCPU ? "timeout" : "crashed", why, {{"signal", sig}});
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // The report is the last line of stdout.
  std::string last;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) last = line;
  json r = json::parse(last, nullptr, false);
  if (!r.is_object())
    return check_failed("no_report", "the check process exited with code " + std::to_string(code) + " and no report",
                        {{"exit_code", code}});
  if (report) *report = r;
  if (code == 0 && r.value("ok", false)) return Status::ok();
  const std::string err = r.value("error", std::string("failed"));
  const std::string msg = r.value("message", std::string());
  return check_failed("failed", err + ": " + msg, {{"exit_code", code}, {"error", err}});
}

}  // namespace medai::runtime

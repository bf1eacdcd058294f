#include "core/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace medai {

Result<ProcessOutput> run_capture(const std::vector<std::string>& argv, std::size_t max_output) {
  if (argv.empty()) return make_error(ErrorCode::invalid_argument, "no program given");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return make_error(ErrorCode::io_error, "pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return make_error(ErrorCode::not_found, "cannot start " + argv[0] + ": " + std::strerror(rc),
                      {{"program", argv[0]}});
  }
  ProcessOutput result;
  char buf[65536];
  bool too_big = false;
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.out.size() + static_cast<std::size_t>(n) > max_output) {
      too_big = true;
      break;
    }
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_big) return make_error(ErrorCode::io_error, argv[0] + " wrote more output than allowed");
  // posix_spawnp reports a missing program through exit code 127 on glibc.
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (result.exit_code == 127 && result.out.empty())
    return make_error(ErrorCode::not_found, "cannot start " + argv[0], {{"program", argv[0]}});
  return result;
}

}  // namespace medai

#pragma once
// Running the DICOM command-line peers from tests: DCMTK tools (echoscu,
// storescu, findscu, getscu, movescu) through a shell with a timeout, a free
// loopback port, and DCMTK storescp as a receiving node.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace medai::testing {

struct ToolResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command (bounded by `timeout`), capturing stdout+stderr.
inline ToolResult run_command(const std::string& command, int timeout_s = 60) {
  ToolResult r;
  std::string full = "timeout " + std::to_string(timeout_s) + " " + command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// "Error ..." lines of `dciodvfy -new` on `file` (dicom3tools); `all` gets
// the whole output (the IOD name first, so callers can check it ran).
inline std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file, std::string* all = nullptr) {
  const ToolResult r = run_command("dciodvfy -new '" + file.string() + "'");
  if (all) *all = r.output;
  std::vector<std::string> errors;
  std::size_t start = 0;
  while (start < r.output.size()) {
    std::size_t end = r.output.find('\n', start);
    if (end == std::string::npos) end = r.output.size();
    const std::string line = r.output.substr(start, end - start);
    if (line.rfind("Error", 0) == 0) errors.push_back(line);
    start = end + 1;
  }
  return errors;
}

inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// DCMTK storescp as a peer (C-MOVE destination, our SCU's target).
class StorescpProcess {
 public:
  StorescpProcess(const std::string& ae, const std::filesystem::path& folder) : StorescpProcess(ae, folder, free_port()) {}
  // On a given port (e.g. a node registered before it comes up).
  StorescpProcess(const std::string& ae, const std::filesystem::path& folder, std::uint16_t port) : port_(port) {
    std::filesystem::create_directories(folder);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string port = std::to_string(port_);
      ::execlp("storescp", "storescp", "-aet", ae.c_str(), "-od", folder.c_str(), "+xa", "+B", "+uf", port.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait until it accepts connections.
    for (int i = 0; i < 100; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port_);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(fd);
      if (ok) break;
      ::usleep(50 * 1000);
    }
  }
  ~StorescpProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace medai::testing

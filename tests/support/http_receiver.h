#pragma once
// A tiny HTTP receiver on loopback for webhook tests: answers each request
// with the next scripted status (the last one repeats) and records what it
// received (head and body, as sent).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace medai::testing {

class HttpReceiver {
 public:
  explicit HttpReceiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpReceiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      std::size_t need = std::string::npos;
      while (true) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
        const auto head_end = req.find("\r\n\r\n");
        if (head_end != std::string::npos && need == std::string::npos) {
          const auto cl = req.find("Content-Length: ");
          need = head_end + 4 + (cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16)));
        }
        if (need != std::string::npos && req.size() >= need) break;
      }
      int status;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
        status = statuses_[std::min(requests_.size() - 1, statuses_.size() - 1)];
      }
      std::string res = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n";
      if (status == 302) res += "Location: http://127.0.0.2:1/elsewhere\r\n";
      res += "\r\n";
      ::send(c, res.data(), res.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  std::vector<int> statuses_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

inline std::string header_of(const std::string& req, const std::string& name) {
  const auto pos = req.find(name + ": ");
  if (pos == std::string::npos) return {};
  return req.substr(pos + name.size() + 2, req.find("\r\n", pos) - pos - name.size() - 2);
}
inline std::string body_of(const std::string& req) { return req.substr(req.find("\r\n\r\n") + 4); }

}  // namespace medai::testing

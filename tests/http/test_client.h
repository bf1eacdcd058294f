#pragma once
// Minimal blocking HTTP/1.1 client over POSIX sockets for the server tests.
// Raw sockets (not Beast) so tests can send exactly the bytes they want:
// half headers, oversized headers, pipelined requests, bad chunking.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace medai::http::testing {

struct RawResponse {
  int status = 0;
  Headers headers;
  std::string body;
  bool chunked = false;

  std::string header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(std::string_view name) const { return headers.find(name) != headers.end(); }
};

class TestConnection {
 public:
  explicit TestConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~TestConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response. `head`: the request was HEAD (no body follows).
  std::optional<RawResponse> read_response(bool head = false,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    RawResponse r;
    std::string_view head_text(buffer_.data(), header_end);
    const std::size_t line_end = head_text.find("\r\n");
    const std::string_view status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head_text.substr(line_end + 2);
    while (!rest.empty()) {
      std::size_t e = rest.find("\r\n");
      std::string_view line = rest.substr(0, e);
      rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace(std::string(line.substr(0, colon)), std::string(value));
    }
    buffer_.erase(0, header_end + 4);
    if (r.status == 100) return r;  // interim: caller reads again
    if (head || r.status == 204 || r.status == 304) return r;

    if (r.header("Transfer-Encoding").find("chunked") != std::string::npos) {
      r.chunked = true;
      for (;;) {
        std::size_t eol;
        while ((eol = buffer_.find("\r\n")) == std::string::npos)
          if (!fill(deadline)) return std::nullopt;
        const std::size_t size = std::strtoul(buffer_.substr(0, eol).c_str(), nullptr, 16);
        buffer_.erase(0, eol + 2);
        while (buffer_.size() < size + 2)
          if (!fill(deadline)) return std::nullopt;
        r.body.append(buffer_, 0, size);
        buffer_.erase(0, size + 2);
        if (size == 0) break;  // no trailers from our server
      }
      return r;
    }
    if (r.has_header("Content-Length")) {
      const std::size_t length = std::strtoull(r.header("Content-Length").c_str(), nullptr, 10);
      while (buffer_.size() < length)
        if (!fill(deadline)) return std::nullopt;
      r.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      return r;
    }
    // Body delimited by the end of the connection.
    while (fill(deadline)) {
    }
    r.body = std::move(buffer_);
    buffer_.clear();
    return r;
  }

  // True when the server closes the connection (EOF or reset) within `wait`;
  // data that arrives meanwhile is discarded.
  bool closed_by_peer(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
      if (rc <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0 && errno != EINTR && errno != EAGAIN) return true;
    }
  }

  // Bytes received but not consumed by read_response.
  const std::string& pending() const { return buffer_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

// Authenticator for server tests: "Bearer good-token" is user alice of
// institution ins_1; anything else is unauthenticated.
inline Result<access::Principal> fake_bearer_auth(const Request& req) {
  if (req.header("Authorization") == "Bearer good-token") {
    access::Principal p;
    p.user_id = "usr_1";
    p.username = "alice";
    p.institution_id = "ins_1";
    return p;
  }
  return make_error(ErrorCode::unauthenticated, "missing or invalid token");
}

// One request on a fresh connection.
inline std::optional<RawResponse> fetch(std::uint16_t port, std::string_view method,
                                        std::string_view target, std::string_view extra_headers = {},
                                        std::string_view body = {},
                                        std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  TestConnection c(port);
  if (!c.connected()) return std::nullopt;
  std::string req = std::string(method) + " " + std::string(target) +
                    " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + std::string(extra_headers);
  if (!body.empty() || method == "POST" || method == "PUT")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  if (!c.send(req)) return std::nullopt;
  return c.read_response(method == "HEAD", timeout);
}

}  // namespace medai::http::testing

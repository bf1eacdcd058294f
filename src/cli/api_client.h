#pragma once
// Minimal REST client for CLI commands that talk to a running server
// (libcurl; TLS verified against the system trust store).
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"

namespace medai::cli {

class ApiClient {
 public:
  ApiClient(std::string server, std::string token) : server_(std::move(server)), token_(std::move(token)) {}
  // Calls METHOD server+path; 2xx → the JSON body (null when empty); an
  // error body {"error","message","detail"} → that Status.
  Result<nlohmann::json> call(const std::string& method, const std::string& path,
                              const nlohmann::json& body = nullptr) const;
  // GET server+path for a non-JSON body (e.g. text/csv); errors as call().
  Result<std::string> get_text(const std::string& path) const;
  // METHOD server+path with a raw body of `content_type` (e.g. an app
  // package as application/zip); the reply as call().
  Result<nlohmann::json> send_bytes(const std::string& method, const std::string& path, std::string_view bytes,
                                    const std::string& content_type) const;

 private:
  struct Reply {
    long status = 0;
    std::string body;
  };
  // A raw body (raw_type not empty) replaces the JSON body.
  Result<Reply> perform(const std::string& method, const std::string& path, const nlohmann::json& body,
                        const char* accept, std::string_view raw = {}, const std::string& raw_type = {}) const;
  Status error_of(const Reply& reply, const std::string& path) const;
  std::string server_;
  std::string token_;
};

}  // namespace medai::cli

#include "cli/api_client.h"

#include <curl/curl.h>

namespace medai::cli {
namespace {
size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}
}  // namespace

Result<ApiClient::Reply> ApiClient::perform(const std::string& method, const std::string& path,
                                            const nlohmann::json& body, const char* accept, std::string_view raw,
                                            const std::string& raw_type) const {
  CURL* curl = curl_easy_init();
  if (!curl) return make_error(ErrorCode::internal, "cannot initialise libcurl");
  std::string url = server_;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path;
  std::string response, payload;
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, accept);
  headers = curl_slist_append(headers, "Expect:");
  std::string auth;
  if (!token_.empty()) {
    auth = "Authorization: Bearer " + token_;
    headers = curl_slist_append(headers, auth.c_str());
  }
  std::string raw_content_type;
  if (!raw_type.empty()) {
    raw_content_type = "Content-Type: " + raw_type;
    headers = curl_slist_append(headers, raw_content_type.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, raw.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(raw.size()));
  } else if (!body.is_null()) {
    payload = body.dump();
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 300L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    return make_error(ErrorCode::unavailable, "cannot reach " + server_ + ": " + curl_easy_strerror(rc));
  return Reply{status, std::move(response)};
}

Status ApiClient::error_of(const Reply& reply, const std::string& path) const {
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error")) {
    auto code = error_code_from_name(parsed.value("error", "")).value_or(ErrorCode::internal);
    return make_error(code, parsed.value("message", ""), parsed.value("detail", nlohmann::json()));
  }
  return make_error(ErrorCode::internal, "HTTP " + std::to_string(reply.status) + " from " + server_ + path);
}

Result<nlohmann::json> ApiClient::call(const std::string& method, const std::string& path,
                                       const nlohmann::json& body) const {
  MEDAI_ASSIGN_OR_RETURN(Reply reply, perform(method, path, body, "Accept: application/json"));
  if (reply.status < 200 || reply.status >= 300) return error_of(reply, path);
  if (reply.body.empty()) return nlohmann::json();
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  if (parsed.is_discarded()) return make_error(ErrorCode::internal, "the server sent a body that is not JSON");
  return parsed;
}

Result<nlohmann::json> ApiClient::send_bytes(const std::string& method, const std::string& path,
                                             std::string_view bytes, const std::string& content_type) const {
  MEDAI_ASSIGN_OR_RETURN(Reply reply, perform(method, path, nullptr, "Accept: application/json", bytes, content_type));
  if (reply.status < 200 || reply.status >= 300) return error_of(reply, path);
  if (reply.body.empty()) return nlohmann::json();
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  if (parsed.is_discarded()) return make_error(ErrorCode::internal, "the server sent a body that is not JSON");
  return parsed;
}

Result<std::string> ApiClient::get_text(const std::string& path) const {
  MEDAI_ASSIGN_OR_RETURN(Reply reply, perform("GET", path, nullptr, "Accept: */*"));
  if (reply.status < 200 || reply.status >= 300) return error_of(reply, path);
  return std::move(reply.body);
}

}  // namespace medai::cli

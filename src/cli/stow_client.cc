#include "cli/stow_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/crypto.h"

namespace medai::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// SOP Instance UID from a Part 10 file's meta header (0002,0003), found by
// a bounded scan; "" when absent. Used only to match response entries.
std::string meta_sop_instance_uid(const std::string& bytes) {
  static const std::string tag("\x02\x00\x03\x00UI", 6);
  auto pos = bytes.find(tag, 128);
  if (pos == std::string::npos || pos > 4096 || pos + 8 > bytes.size()) return {};
  std::size_t len = static_cast<unsigned char>(bytes[pos + 6]) | (static_cast<unsigned char>(bytes[pos + 7]) << 8);
  if (pos + 8 + len > bytes.size()) return {};
  std::string uid = bytes.substr(pos + 8, len);
  while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
  return uid;
}

std::string failure_text(int code) {
  switch (code) {
    case 0xA700: return "0xA700 out of resources";
    case 0xA900: return "0xA900 data set does not match SOP class";
    case 0xC000: return "0xC000 cannot understand";
    case 0x0110: return "0x0110 processing failure";
    case 0x0111: return "0x0111 duplicate SOP instance";
    case 0x0122: return "0x0122 SOP class not supported";
    case 0xC122: return "0xC122 referenced transfer syntax not supported";
    default: {
      std::ostringstream s;
      s << "0x" << std::hex << std::uppercase << code;
      return s.str();
    }
  }
}

struct Reply {
  long status = 0;
  std::string body;
};

Result<Reply> post(const StowOptions& o, const std::string& boundary, const std::string& body) {
  CURL* curl = curl_easy_init();
  if (!curl) return make_error(ErrorCode::internal, "cannot initialise libcurl");
  std::string url = o.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/studies";
  struct curl_slist* headers = nullptr;
  const std::string ct = "Content-Type: multipart/related; type=\"application/dicom\"; boundary=" + boundary;
  headers = curl_slist_append(headers, ct.c_str());
  headers = curl_slist_append(headers, "Accept: application/dicom+json");
  headers = curl_slist_append(headers, "Expect:");
  std::string auth;
  if (!o.token.empty()) {
    auth = "Authorization: Bearer " + o.token;
    headers = curl_slist_append(headers, auth.c_str());
  }
  Reply reply;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 600L);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return make_error(ErrorCode::unavailable, "cannot reach " + url + ": " + curl_easy_strerror(rc));
  return reply;
}

std::string first_string(const json& item, const char* tag) {
  if (!item.contains(tag) || !item[tag].contains("Value") || item[tag]["Value"].empty()) return {};
  const json& v = item[tag]["Value"][0];
  return v.is_string() ? v.get<std::string>() : std::string();
}

// The study of a Retrieve URL ".../studies/{study}/series/...": the UID the
// server stored the instance under; "" when the URL has another form.
std::string study_of_url(const std::string& url) {
  const auto at = url.find("/studies/");
  if (at == std::string::npos) return {};
  const auto start = at + 9;
  const auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::vector<fs::path> collect_files(const fs::path& path) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return {path};
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<StowFileResult>> stow_files(const StowOptions& o, const std::vector<fs::path>& files) {
  std::vector<StowFileResult> results;
  const std::string boundary = "medai-stow-" + crypto::random_token(12);
  for (std::size_t start = 0; start < files.size(); start += std::max<std::size_t>(o.batch, 1)) {
    const std::size_t end = std::min(files.size(), start + std::max<std::size_t>(o.batch, 1));
    std::string body;
    std::map<std::string, std::size_t> by_uid;  // SOP Instance UID → result index
    for (std::size_t i = start; i < end; ++i) {
      std::string bytes = read_all(files[i]);
      StowFileResult r{files[i], meta_sop_instance_uid(bytes), false, "", ""};
      if (!r.sop_instance_uid.empty()) by_uid[r.sop_instance_uid] = results.size();
      results.push_back(r);
      body += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n";
      body += bytes;
      body += "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    auto reply = post(o, boundary, body);
    std::string whole_failure;
    if (!reply) {
      whole_failure = reply.status().message();
    } else {
      json doc = json::parse(reply->body, nullptr, false);
      if (reply->status != 200 && reply->status != 202 && reply->status != 409) {
        whole_failure = "HTTP " + std::to_string(reply->status);
        if (doc.is_object() && doc.contains("message")) whole_failure += ": " + doc["message"].get<std::string>();
      } else if (doc.is_object()) {
        if (doc.contains("00081199") && doc["00081199"].contains("Value"))
          for (const auto& item : doc["00081199"]["Value"])
            if (auto it = by_uid.find(first_string(item, "00081155")); it != by_uid.end()) {
              results[it->second].stored = true;
              results[it->second].study_uid = study_of_url(first_string(item, "00081190"));
            }
        if (doc.contains("00081198") && doc["00081198"].contains("Value"))
          for (const auto& item : doc["00081198"]["Value"]) {
            auto it = by_uid.find(first_string(item, "00081155"));
            if (it == by_uid.end()) continue;
            int code = 0;
            if (item.contains("00081197") && item["00081197"].contains("Value") &&
                !item["00081197"]["Value"].empty() && item["00081197"]["Value"][0].is_number())
              code = item["00081197"]["Value"][0].get<int>();
            results[it->second].reason = failure_text(code);
          }
      }
    }
    for (std::size_t i = results.size() - (end - start); i < results.size(); ++i) {
      if (!whole_failure.empty()) {
        results[i].reason = whole_failure;
      } else if (!results[i].stored && results[i].reason.empty()) {
        results[i].reason = "not acknowledged by the server (not a DICOM Part 10 file?)";
      }
    }
    if (!whole_failure.empty()) {
      for (std::size_t i = end; i < files.size(); ++i) results.push_back({files[i], "", false, "not sent: " + whole_failure, ""});
      break;
    }
  }
  return results;
}

}  // namespace medai::cli

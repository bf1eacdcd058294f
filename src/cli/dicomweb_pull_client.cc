#include "cli/dicomweb_pull_client.h"

#include <curl/curl.h>

#include <cstdio>
#include <fstream>

#include "http/multipart.h"

namespace medai::cli {
namespace {

namespace fs = std::filesystem;

size_t write_to_file(char* data, size_t size, size_t n, void* out) {
  auto* file = static_cast<std::ofstream*>(out);
  file->write(data, static_cast<std::streamsize>(size * n));
  return *file ? size * n : 0;
}

// A UID is digits and dots (PS3.5 9.1); anything else would change the URL.
bool valid_uid(const std::string& uid) {
  if (uid.empty() || uid.size() > 64) return false;
  for (char c : uid)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  return true;
}

void remove_files(const std::vector<fs::path>& files) {
  std::error_code ec;
  for (const auto& f : files) fs::remove(f, ec);
}

}  // namespace

Result<std::vector<fs::path>> dicomweb_pull_study(const DicomwebPullOptions& o, const fs::path& out) {
  if (!valid_uid(o.study_uid))
    return make_error(ErrorCode::invalid_argument, "not a valid Study Instance UID", {{"study", o.study_uid}});
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "cannot create the output folder", {{"path", out.string()}});
  std::string url = o.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/studies/" + o.study_uid;

  const fs::path spool = out / ".wado-response.part";
  std::string content_type;
  long status = 0;
  CURLcode rc = CURLE_OK;
  {
    std::ofstream file(spool, std::ios::binary | std::ios::trunc);
    if (!file) return make_error(ErrorCode::invalid_argument, "cannot write to the output folder", {{"path", out.string()}});
    CURL* curl = curl_easy_init();
    if (!curl) return make_error(ErrorCode::internal, "cannot initialise libcurl");
    struct curl_slist* headers = nullptr;
    // transfer-syntax=*: the instances as the server stored them (PS3.18 8.7.3.5.2).
    headers = curl_slist_append(headers, "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=*");
    std::string auth;
    if (!o.token.empty()) {
      auth = "Authorization: Bearer " + o.token;
      headers = curl_slist_append(headers, auth.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_to_file);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &file);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, o.timeout_s);
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    char* type = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) content_type = type;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }
  struct SpoolGuard {
    fs::path path;
    ~SpoolGuard() {
      std::error_code e;
      fs::remove(path, e);
    }
  } guard{spool};

  if (rc != CURLE_OK)
    return make_error(ErrorCode::unavailable, "cannot retrieve from " + o.url + ": " + curl_easy_strerror(rc));
  if (status == 404 || status == 204)
    return make_error(ErrorCode::not_found, "the DICOMweb server has no such study", {{"study", o.study_uid}});
  if (status != 200)
    return make_error(ErrorCode::remote_failure, "WADO-RS retrieve answered HTTP " + std::to_string(status),
                      {{"url", url}});
  const http::MediaType type = http::parse_media_type(content_type);
  if (type.type != "multipart/related" || type.param("boundary").empty())
    return make_error(ErrorCode::remote_failure, "WADO-RS retrieve did not answer multipart/related",
                      {{"content_type", content_type}});
  MEDAI_ASSIGN_OR_RETURN(auto mapped, http::MappedFile::open(spool));
  auto parts = http::parse_multipart(mapped.view(), type.param("boundary"));
  if (!parts)
    return make_error(ErrorCode::remote_failure, "malformed multipart response: " + parts.status().message());
  if (parts->empty()) return make_error(ErrorCode::not_found, "the study has no instances", {{"study", o.study_uid}});

  std::vector<fs::path> files;
  for (const auto& part : *parts) {
    char name[32];
    std::snprintf(name, sizeof name, "%06zu.dcm", files.size() + 1);
    files.push_back(out / name);
    std::ofstream f(files.back(), std::ios::binary | std::ios::trunc);
    f.write(part.body.data(), static_cast<std::streamsize>(part.body.size()));
    f.close();
    if (!f) {
      remove_files(files);
      return make_error(ErrorCode::internal, "cannot write a retrieved instance", {{"path", files.back().string()}});
    }
  }
  return files;
}

}  // namespace medai::cli

#include "http/static_files.h"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <system_error>

namespace medai::http {
namespace fs = std::filesystem;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool starts_with_api_prefix(std::string_view relative) {
  for (std::string_view prefix : {"api/", "dicom-web/", "v2/"})
    if (relative.substr(0, prefix.size()) == prefix) return true;
  return relative == "api" || relative == "dicom-web" || relative == "v2";
}

// Hidden segments, backslashes and NUL are never portal files; ".." is
// refused by the server before routing, checked again here for defence.
bool is_safe_relative(std::string_view relative) {
  if (relative.find('\\') != std::string_view::npos || relative.find('\0') != std::string_view::npos)
    return false;
  std::size_t start = 0;
  while (start < relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view seg = relative.substr(start, end - start);
    if (!seg.empty() && seg.front() == '.') return false;
    start = end + 1;
  }
  return true;
}

// A request for a static file (known extension, or anything under assets/)
// that does not exist is a 404; other paths are pages of the app, whose
// last segment may well contain dots (/studies/1.2.840.113619.2.55).
bool names_a_static_file(std::string_view relative) {
  if (relative.substr(0, 7) == "assets/") return true;
  const std::size_t slash = relative.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  return last.find('.') != std::string_view::npos &&
         content_type_for(last) != std::string_view("application/octet-stream");
}

bool is_within(const fs::path& root, const fs::path& candidate) {
  auto r = root.begin();
  auto c = candidate.begin();
  for (; r != root.end(); ++r, ++c)
    if (c == candidate.end() || *r != *c) return false;
  return true;
}

Response not_found() {
  Response res = Response::error(make_error(ErrorCode::not_found, "no such page or file"));
  res.header("Content-Security-Policy", std::string(kPortalContentSecurityPolicy));
  return res;
}

// Does If-None-Match (a list, or "*") contain `etag`?
bool etag_matches(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string_view content_type_for(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  const std::size_t dot = name.rfind('.');
  const std::size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  const std::string_view ext = name.substr(dot);
  for (const auto& [e, type] : kTypes)
    if (iequals(e, ext)) return type;
  return "application/octet-stream";
}

Result<std::shared_ptr<const StaticSite>> StaticSite::open(const fs::path& root) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(root, ec);
  if (ec || !fs::is_directory(canonical, ec))
    return make_error(ErrorCode::invalid_argument, "web root is not a folder: " + root.string());
  if (!fs::is_regular_file(canonical / "index.html", ec))
    return make_error(ErrorCode::invalid_argument, "web root has no index.html: " + root.string());
  return std::shared_ptr<const StaticSite>(new StaticSite(canonical));
}

Response StaticSite::serve(const Request& request, std::string_view relative) const {
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  if (starts_with_api_prefix(relative) || !is_safe_relative(relative)) return not_found();
  if (!relative.empty()) {
    std::error_code ec;
    const fs::path candidate = fs::weakly_canonical(root_ / fs::path(relative), ec);
    if (ec || !is_within(root_, candidate)) return not_found();
    if (fs::is_regular_file(candidate, ec)) {
      const bool hashed = relative.substr(0, 7) == "assets/";
      return serve_file(request, candidate, hashed);
    }
    if (names_a_static_file(relative)) return not_found();
  }
  return serve_file(request, root_ / "index.html", false);
}

Response StaticSite::serve_file(const Request& request, const fs::path& file, bool immutable) const {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return not_found();
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return not_found();
  const auto ticks = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(ticks));

  Response res;
  res.header("ETag", etag);
  res.header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.header("Content-Security-Policy", std::string(kPortalContentSecurityPolicy));
  // Cross-origin isolation lets Cornerstone use SharedArrayBuffer; every
  // resource the portal loads is same-origin, so nothing is blocked.
  res.header("Cross-Origin-Opener-Policy", "same-origin");
  res.header("Cross-Origin-Embedder-Policy", "require-corp");
  res.header("Cross-Origin-Resource-Policy", "same-origin");
  res.header("Referrer-Policy", "no-referrer");
  res.header("Content-Type", std::string(content_type_for(file.filename().string())));
  if (etag_matches(request.header("If-None-Match"), etag)) {
    res.status = 304;
    return res;
  }
  res.file = file;
  return res;
}

std::optional<fs::path> resolve_web_root(const std::string& configured, const fs::path& executable,
                                         std::string& reason) {
  std::error_code ec;
  if (configured == "off") {
    reason = "web.root is \"off\"";
    return std::nullopt;
  }
  if (!configured.empty()) {
    if (fs::is_regular_file(fs::path(configured) / "index.html", ec)) return fs::path(configured);
    reason = "web.root has no index.html: " + configured;
    return std::nullopt;
  }
  const fs::path exe_dir = executable.parent_path();
  const fs::path installed = exe_dir / ".." / "share" / "medai" / "web";
  if (fs::is_regular_file(installed / "index.html", ec)) return installed.lexically_normal();
  fs::path dir = exe_dir;
  for (int depth = 0; depth < 6 && !dir.empty(); ++depth) {
    const fs::path dist = dir / "web" / "dist";
    if (fs::is_regular_file(dist / "index.html", ec)) return dist;
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  reason = "no built portal (web/dist/index.html) near " + exe_dir.string() +
           "; build it with `npm ci && npm run build` in web/ or set web.root";
  return std::nullopt;
}

}  // namespace medai::http

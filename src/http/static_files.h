#pragma once
// The web portal's built files (web/dist) served at "/" next to the API.
//
// Contract (docs/portal.md):
//   - a file under the root is answered with its Content-Type, an ETag
//     (size + modification time, like nginx) and 304 on If-None-Match;
//   - Vite's content-hashed files under assets/ are cached for a year
//     (immutable); everything else, index.html in particular, is `no-cache`
//     so a new release is picked up on the next load;
//   - a path that names no file is a page of the single-page app:
//     index.html is answered (SPA fallback), also for dotted last segments
//     such as DICOM UIDs; a missing file under assets/ or with a known static
//     extension (.js, .css, .wasm, ...) is 404 (a missing script must not come
//     back as HTML);
//   - paths under the API prefixes (/api/, /dicom-web/, /v2/) never fall back
//     to the portal: unknown API paths stay JSON 404s;
//   - hidden segments (".git", ".env"), backslashes and anything resolving
//     outside the root (symlinks included) are refused with 404; ".." never
//     gets here (the server refuses it with 400 before routing);
//   - every answer carries the portal's Content-Security-Policy.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace medai::http {

// The policy sent with every portal file. No inline scripts or styles;
// 'wasm-unsafe-eval' lets Cornerstone's image decoders (WebAssembly) run,
// worker-src blob: its decode workers; images may be data:/blob: URLs
// (canvas read-back, thumbnails).
inline constexpr std::string_view kPortalContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Content-Type for a file name by its extension (lower-case compare);
// application/octet-stream when unknown.
std::string_view content_type_for(std::string_view file_name);

class StaticSite {
 public:
  // `root` must be a directory holding index.html; invalid_argument otherwise.
  static Result<std::shared_ptr<const StaticSite>> open(const std::filesystem::path& root);

  // Answers GET/HEAD for `relative` (the request path without the leading
  // '/', already percent-decoded by the server).
  Response serve(const Request& request, std::string_view relative) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit StaticSite(std::filesystem::path root) : root_(std::move(root)) {}
  Response serve_file(const Request& request, const std::filesystem::path& file, bool immutable) const;
  std::filesystem::path root_;  // canonical
};

// Where the portal's files are: `configured` when set (must exist), nothing
// when it is "off", else the first folder holding index.html among
// <exe dir>/../share/medai/web (install tree) and web/dist in the executable's
// ancestor folders (build tree build/<preset>/src/cli/medai). `reason` says
// why nothing was found (for the start-up log line).
std::optional<std::filesystem::path> resolve_web_root(const std::string& configured,
                                                      const std::filesystem::path& executable,
                                                      std::string& reason);

}  // namespace medai::http

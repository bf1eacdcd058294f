// The web portal's files at "/" (see http/static_files.h for the contract).
// Registered last: the router prefers every literal and {param} route over
// this {path*} fallback, so the API is unaffected.
#include <filesystem>

#include "core/log.h"
#include "http/routes/routes.h"
#include "http/static_files.h"

namespace medai::http::routes {

void register_portal_routes(Router& router, AppContext& ctx) {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string reason;
  const auto root = resolve_web_root(ctx.config.web.root, ec ? std::filesystem::path() : exe, reason);
  if (!root) {
    log::info("web.portal_disabled", {{"reason", reason}});
    return;
  }
  auto site = StaticSite::open(*root);
  if (!site.is_ok()) {
    log::warn("web.portal_disabled", {{"reason", site.status().message()}});
    return;
  }
  log::info("web.portal_enabled", {{"root", (*site)->root().string()}});
  router.add({.method = Method::get,
              .pattern = "/{path*}",
              .operation_id = "getPortalFile",
              .summary = "Web portal",
              .description = "The portal's built files; paths that name no file are the single-page "
                             "app (index.html).",
              .tags = {"portal"},
              .auth = Auth::none,
              .responses = {{200, "the file, or index.html for a page path"},
                            {304, "not modified (ETag)"},
                            {404, "no such asset"}},
              .documented = false},
             [site = *site](Request& req) { return site->serve(req, req.param("path")); });
}

}  // namespace medai::http::routes

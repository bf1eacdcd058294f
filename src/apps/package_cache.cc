#include "apps/package_cache.h"

#include <fstream>

#include "core/ids.h"
#include "packages/package_archive.h"
#include "packages/package_verifier.h"

namespace medai::apps {

namespace fs = std::filesystem;
using nlohmann::json;

Result<fs::path> PackageCache::unpacked(const packages::RunnableApp& app) {
  const std::string hex = app.digest.substr(app.digest.find(':') + 1);
  const fs::path dir = root_ / hex;
  std::lock_guard lock(mu_);
  std::error_code ec;
  if (fs::exists(dir / "manifest.json", ec)) return dir;
  MEDAI_ASSIGN_OR_RETURN(std::string archive, catalog_.read_package(app));
  MEDAI_ASSIGN_OR_RETURN(auto files, packages::read_package_archive(archive, catalog_.limits()));
  auto manifest = files.find("manifest.json");
  if (manifest == files.end() || packages::package_digest(manifest->second) != app.digest)
    return make_error(ErrorCode::package_tampered, "the stored package no longer matches its digest");
  const fs::path temp = root_ / (hex + ".partial-" + new_id("u"));
  fs::create_directories(temp, ec);
  for (const auto& [path, bytes] : files) {
    const fs::path target = temp / path;
    bool ok = packages::is_safe_package_path(path);
    if (ok) {
      fs::create_directories(target.parent_path(), ec);
      std::ofstream out(target, std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      ok = static_cast<bool>(out);
    }
    if (!ok) {
      fs::remove_all(temp, ec);
      return make_error(ErrorCode::io_error, "cannot unpack the app package");
    }
  }
  fs::rename(temp, dir, ec);
  if (ec) {
    fs::remove_all(temp, ec);
    if (!fs::exists(dir / "manifest.json")) return make_error(ErrorCode::io_error, "cannot move the unpacked package into place");
  }
  return dir;
}

runtime::ModelSpec model_spec_of(const packages::RunnableApp& app, const fs::path& package_dir, int default_threads) {
  const json model = app.manifest.value("model", json::object());
  runtime::ModelSpec spec;
  spec.key = app.app_name + "@" + app.version;
  spec.runtime = model.value("runtime", "");
  if (model.contains("artifact") && model["artifact"].is_string())
    spec.artifact = package_dir / model["artifact"].get<std::string>();
  spec.threads = model.value("threads", default_threads);
  spec.remote = model.value("remote", json::object());
  return spec;
}

}  // namespace medai::apps

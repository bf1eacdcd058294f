#include "packages/package_builder.h"
#include "core/files.h"

#include <fstream>
#include <sstream>

#include "core/crypto.h"
#include "packages/manifest.h"

namespace medai::packages {
namespace fs = std::filesystem;

Result<std::string> pack_directory(const fs::path& dir, const PackageLimits& limits) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::invalid_argument, dir.string() + " is not a folder");
  MEDAI_ASSIGN_OR_RETURN(std::string manifest_text, read_file(dir / "manifest.json"));
  nlohmann::json manifest = nlohmann::json::parse(manifest_text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object())
    return make_error(ErrorCode::invalid_manifest, "manifest.json is not a JSON object");

  PackageFiles files;
  nlohmann::json listed = nlohmann::json::object();
  std::uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path rel = fs::relative(it->path(), dir);
    const std::string name = rel.generic_string();
    if (rel.filename().string().rfind('.', 0) == 0) {  // dot-files and dot-folders (.git) are not content
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink())
      return make_error(ErrorCode::invalid_argument, "packages cannot contain symbolic links: " + name);
    if (it->is_directory()) continue;
    if (!it->is_regular_file()) return make_error(ErrorCode::invalid_argument, "not a regular file: " + name);
    if (name == "manifest.json" || name == "manifest.sig") continue;
    if (!is_safe_package_path(name)) return make_error(ErrorCode::invalid_argument, "unsafe file name: " + name);
    MEDAI_ASSIGN_OR_RETURN(std::string bytes, read_file(it->path()));
    total += bytes.size();
    if (total > limits.max_uncompressed_bytes || files.size() + 2 > limits.max_entries)
      return make_error(ErrorCode::package_too_large, "the folder exceeds the package limits");
    listed[name] = "sha256:" + crypto::sha256_hex(bytes);
    files.emplace(name, std::move(bytes));
  }
  if (ec) return make_error(ErrorCode::io_error, "cannot list " + dir.string());
  manifest["files"] = listed;
  const std::string manifest_bytes = manifest.dump(2) + "\n";
  MEDAI_ASSIGN_OR_RETURN(Manifest checked, parse_manifest(manifest_bytes));
  (void)checked;
  files.emplace("manifest.json", manifest_bytes);
  return write_package_archive(files);
}

Result<std::string> patch_package_manifest(std::string_view archive, const nlohmann::json& overlay,
                                           const PackageLimits& limits) {
  if (!overlay.is_object())
    return make_error(ErrorCode::invalid_argument, "a manifest overlay must be a JSON object");
  if (overlay.contains("files"))
    return make_error(ErrorCode::invalid_argument, "a manifest overlay may not change \"files\"");
  MEDAI_ASSIGN_OR_RETURN(PackageFiles files, read_package_archive(archive, limits));
  auto manifest = files.find("manifest.json");
  if (manifest == files.end()) return make_error(ErrorCode::invalid_package, "the package has no manifest.json");
  nlohmann::json document = nlohmann::json::parse(manifest->second, nullptr, false);
  if (!document.is_object()) return make_error(ErrorCode::invalid_manifest, "manifest.json is not a JSON object");
  document.merge_patch(overlay);
  MEDAI_RETURN_IF_ERROR(parse_manifest(document.dump(2)).status());
  manifest->second = document.dump(2) + "\n";
  files.erase("manifest.sig");
  return write_package_archive(files);
}

Result<std::string> sign_package_archive(std::string_view archive, const SigningKey& key,
                                         const PackageLimits& limits) {
  if (key.secret_key.empty()) return make_error(ErrorCode::invalid_argument, "signing needs a secret key file");
  MEDAI_ASSIGN_OR_RETURN(PackageFiles files, read_package_archive(archive, limits));
  auto manifest = files.find("manifest.json");
  if (manifest == files.end()) return make_error(ErrorCode::invalid_package, "the package has no manifest.json");
  files["manifest.sig"] = sign_manifest(manifest->second, key);
  return write_package_archive(files);
}

}  // namespace medai::packages

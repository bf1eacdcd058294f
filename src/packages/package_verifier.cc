#include "packages/package_verifier.h"

#include <fstream>
#include <set>

#include "core/crypto.h"
#include "packages/signing.h"

namespace medai::packages {

namespace {

// Every file but manifest.json/.sig is listed in manifest.files with its hash, and every listed one is present.
Status check_files(const Manifest& manifest, const PackageFiles& files) {
  nlohmann::json missing = nlohmann::json::array(), mismatched = nlohmann::json::array(),
                 unlisted = nlohmann::json::array();
  for (const auto& [path, hash] : manifest.files) {
    auto f = files.find(path);
    if (f == files.end()) missing.push_back(path);
    else if ("sha256:" + crypto::sha256_hex(f->second) != hash) mismatched.push_back(path);
  }
  for (const auto& [path, bytes] : files)
    if (path != "manifest.json" && path != "manifest.sig" && !manifest.files.count(path)) unlisted.push_back(path);
  if (!missing.empty() || !mismatched.empty() || !unlisted.empty())
    return make_error(ErrorCode::package_tampered,
                      "the package files do not match manifest.files (missing, changed or unlisted files)",
                      {{"missing", missing}, {"hash_mismatch", mismatched}, {"unlisted", unlisted}});
  return Status::ok();
}

}  // namespace

std::string package_digest(std::string_view manifest_bytes) { return "sha256:" + crypto::sha256_hex(manifest_bytes); }

Result<VerifiedPackage> verify_package(std::string_view archive, const std::vector<TrustedKey>& trusted_keys,
                                       const PackageLimits& limits, std::string_view expected_vendor) {
  MEDAI_ASSIGN_OR_RETURN(PackageFiles files, read_package_archive(archive, limits));

  const auto manifest_it = files.find("manifest.json");
  if (manifest_it == files.end())
    return make_error(ErrorCode::invalid_package, "the package has no manifest.json at its root");
  const auto sig_it = files.find("manifest.sig");
  if (sig_it == files.end())
    return make_error(ErrorCode::package_unsigned, "the package has no manifest.sig (sign it with `medai app sign`)");
  MEDAI_ASSIGN_OR_RETURN(PackageSignature signature, parse_signature(sig_it->second));

  const TrustedKey* key = nullptr;
  for (const auto& k : trusted_keys)
    if (k.key_id == signature.key_id && signing_key_id(k.public_key) == k.key_id) key = &k;
  if (!key)
    return make_error(ErrorCode::unknown_signing_key,
                      "the package is signed with key " + signature.key_id +
                          ", which is not registered (or is revoked) for the vendor",
                      {{"key_id", signature.key_id}});
  if (!verify_detached(manifest_it->second, signature.signature, key->public_key))
    return make_error(ErrorCode::package_signature_invalid,
                      "the signature does not match manifest.json (modified after signing, or signed with another key)",
                      {{"key_id", signature.key_id}});

  MEDAI_ASSIGN_OR_RETURN(Manifest manifest, parse_manifest(manifest_it->second, expected_vendor));
  if (!key->vendor.empty() && key->vendor != manifest.vendor)
    return make_error(ErrorCode::unknown_signing_key,
                      "key " + key->key_id + " is not registered for vendor '" + manifest.vendor + "'",
                      {{"key_id", key->key_id}});
  MEDAI_RETURN_IF_ERROR(check_files(manifest, files));

  VerifiedPackage out;
  out.digest = package_digest(manifest_it->second);
  out.key_id = key->key_id;
  out.manifest_bytes = manifest_it->second;
  out.manifest = std::move(manifest);
  out.files = std::move(files);
  return out;
}

Result<VerifiedPackage> read_unsigned_package(std::string_view archive, const PackageLimits& limits) {
  MEDAI_ASSIGN_OR_RETURN(PackageFiles files, read_package_archive(archive, limits));
  const auto manifest_it = files.find("manifest.json");
  if (manifest_it == files.end())
    return make_error(ErrorCode::invalid_package, "the package has no manifest.json at its root");
  MEDAI_ASSIGN_OR_RETURN(Manifest manifest, parse_manifest(manifest_it->second));
  MEDAI_RETURN_IF_ERROR(check_files(manifest, files));
  VerifiedPackage out;
  out.digest = package_digest(manifest_it->second);
  out.manifest_bytes = manifest_it->second;
  out.manifest = std::move(manifest);
  out.files = std::move(files);
  return out;
}

Status unpack_package(const VerifiedPackage& package, const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::create_directory(dir, ec) || ec)
    return make_error(ErrorCode::io_error, "cannot create the unpack folder");
  for (const auto& [path, bytes] : package.files) {
    if (!is_safe_package_path(path)) return make_error(ErrorCode::invalid_package, "unsafe path in package");
    const std::filesystem::path target = dir / std::filesystem::path(path);
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return make_error(ErrorCode::io_error, "cannot create a folder while unpacking");
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return make_error(ErrorCode::io_error, "cannot write a file while unpacking");
  }
  return Status::ok();
}

}  // namespace medai::packages

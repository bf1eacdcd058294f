#pragma once
// verify_package: the one gate every package passes before the platform
// trusts any of its bytes (publish, `medai app verify`). Order of checks, each
// with its stable error code:
//   size/entries/expansion ............ package_too_large
//   zip readable, safe paths, no links  invalid_package
//   manifest.json present ............. invalid_package
//   manifest.sig present .............. package_unsigned
//   manifest.sig well-formed .......... package_signature_invalid
//   key id among the trusted keys ..... unknown_signing_key
//   Ed25519 signature verifies ........ package_signature_invalid
//   manifest valid (schema + rules) ... invalid_manifest (every problem listed)
//   key belongs to manifest.vendor .... unknown_signing_key
//   files == manifest.files, hashes ... package_tampered
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "packages/manifest.h"
#include "packages/package_archive.h"

namespace medai::packages {

struct TrustedKey {
  std::string vendor;      // vendor handle the key may sign for; "" = any (offline verify)
  std::string key_id;
  std::string public_key;  // 32 raw bytes
};

struct VerifiedPackage {
  Manifest manifest;
  std::string digest;          // "sha256:<hex of manifest.json bytes>"
  std::string key_id;          // the key that signed it
  std::string manifest_bytes;  // exactly as signed
  PackageFiles files;          // every file, manifest.json and manifest.sig included
};

// `expected_vendor`, when not empty, is the publisher's vendor handle.
Result<VerifiedPackage> verify_package(std::string_view archive, const std::vector<TrustedKey>& trusted_keys,
                                       const PackageLimits& limits, std::string_view expected_vendor = {});

// The same checks without the signature (archive rules, manifest, file
// hashes), for a package that is not signed yet (evaluating a build before
// signing it). key_id stays empty. Never use it to admit a package.
Result<VerifiedPackage> read_unsigned_package(std::string_view archive, const PackageLimits& limits);

// Writes the package's files below `dir` (created; must not exist yet).
// Paths were checked by verify_package, so nothing lands outside `dir`.
Status unpack_package(const VerifiedPackage& package, const std::filesystem::path& dir);

std::string package_digest(std::string_view manifest_bytes);

}  // namespace medai::packages

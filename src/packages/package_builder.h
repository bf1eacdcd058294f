#pragma once
// Building packages on the vendor's side (`medai app pack|sign`), offline.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "packages/package_archive.h"
#include "packages/signing.h"

namespace medai::packages {

// Reads `dir` (manifest.json plus artifacts), fills manifest.files with the
// SHA-256 of every other regular file (manifest.sig and dot-files are left
// out), validates the manifest and returns the unsigned archive bytes.
// Refuses symlinks (a package carries its files) and invalid manifests
// (invalid_manifest listing every problem).
Result<std::string> pack_directory(const std::filesystem::path& dir, const PackageLimits& limits = {});

// Applies `overlay` to manifest.json as an RFC 7386 JSON merge patch (a null
// removes a field; arrays are replaced whole) and re-validates the manifest;
// manifest.files may not be patched (the files stay what they are). Any
// signature is dropped: the result is unsigned. For vendors who adapt a
// generated manifest (name, writers, labels, metrics) before signing.
Result<std::string> patch_package_manifest(std::string_view archive, const nlohmann::json& overlay,
                                           const PackageLimits& limits = {});

// Adds (or replaces) manifest.sig in a package archive, signed with `key`
// (which must hold a secret key).
Result<std::string> sign_package_archive(std::string_view archive, const SigningKey& key,
                                         const PackageLimits& limits = {});

}  // namespace medai::packages

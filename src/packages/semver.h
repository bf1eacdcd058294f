#pragma once
// Semantic Versioning 2.0.0 (https://semver.org): parsing and precedence, so
// "latest" means the highest precedence and not the newest upload.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medai::packages {

struct SemVer {
  unsigned long long major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers; empty = release
  std::string build;                    // ignored for precedence
};

// nullopt unless `text` is a valid SemVer 2.0.0 string (no leading zeros in
// numeric parts, no empty identifiers, at most 128 characters).
std::optional<SemVer> parse_semver(std::string_view text);
// <0, 0, >0 by SemVer precedence (build metadata ignored).
int compare_semver(const SemVer& a, const SemVer& b);

}  // namespace medai::packages

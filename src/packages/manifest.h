#pragma once
// manifest.json of an app package (schema_version 1): validation against the
// JSON Schema compiled in from manifest.schema.json (valijson), plus the
// checks a schema cannot express (SemVer, artifact listed in files, vendor
// of the publisher, runtime/input/writer consistency, safe file paths).
// Every problem is reported at once so a vendor fixes them in one round.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "packages/semver.h"

namespace medai::packages {

// One problem: JSON Pointer to the offending value ("" = the document) and
// an English message. Never contains patient data (manifests hold none).
struct ManifestProblem {
  std::string path;
  std::string message;
  bool operator==(const ManifestProblem&) const = default;
};

// The validated manifest: the fields the platform acts on, plus the whole
// document for everything else (pipeline, output, metadata).
struct Manifest {
  nlohmann::json document;
  std::string name;
  std::string vendor;
  std::string version;
  SemVer semver;
  std::string task;
  std::string runtime;
  std::string artifact;  // "" for kserve-v2
  std::string input_kind;
  bool research_use_only = true;
  std::map<std::string, std::string> files;  // path -> "sha256:<hex>"
};

// The JSON Schema text (also served at GET /api/v1/apps/manifest-schema).
std::string_view manifest_schema_text();

// Every problem of `document` (empty = valid). `expected_vendor`, when not
// empty, is the publishing vendor's handle that "vendor" must equal.
std::vector<ManifestProblem> check_manifest(const nlohmann::json& document, std::string_view expected_vendor = {});

// Parses manifest.json bytes (UTF-8 JSON object) and validates them.
// invalid_manifest with detail {"problems": [{"path", "message"}...]}.
Result<Manifest> parse_manifest(std::string_view bytes, std::string_view expected_vendor = {});

// A path inside a package that is safe to extract: relative, '/'-separated,
// no empty, "." or ".." segment, no backslash or control character, at most
// 255 bytes.
bool is_safe_package_path(std::string_view path);

}  // namespace medai::packages

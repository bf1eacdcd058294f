#pragma once
// Small packages built inline for the package tests.
#include <nlohmann/json.hpp>
#include <string>

#include "core/crypto.h"
#include "packages/package_archive.h"
#include "packages/signing.h"

namespace medai::packages::testing {

inline const std::string kArtifact = "tiny model bytes (not a real torch file)";
inline const std::string kTestInput = R"({"features": [1, 2, 3]})";

// A complete, valid schema_version 1 manifest for vendor "acme".
inline nlohmann::json valid_manifest() {
  return nlohmann::json::parse(R"json({
    "schema_version": 1,
    "name": "lung-nodule-screening",
    "vendor": "acme",
    "version": "1.2.0",
    "display_name": "Lung nodule screening (chest CT)",
    "task": "detection",
    "modality": ["CT"],
    "body_part": ["CHEST"],
    "intended_use": "Second reader for solid nodules on adult chest CT.",
    "contraindications": ["paediatric patients"],
    "research_use_only": true,
    "synthetic_training_data": true,
    "training_data": {"summary": "400 synthetic chest CTs", "cases": 400, "dataset": "synthetic-lung@1"},
    "validation": {"metrics": [{"name": "CPM", "value": 0.87, "ci95": [0.83, 0.9], "split": "test"}]},
    "licence": "Apache-2.0",
    "model": {"runtime": "torchscript", "artifact": "model/model.pt", "threads": 2},
    "input": {"kind": "volume", "spacing_mm": [1.0, 1.0, 1.0], "patch_size": [64, 64, 64], "channels": 1,
              "window": {"center": -600, "width": 1500}},
    "output": {"labels": [{"value": 1, "name": "Nodule",
                           "code": {"scheme": "SCT", "value": "27925004", "meaning": "Nodule"}}],
               "units": "probability", "thresholds": {"detection": 0.5}},
    "pipeline": {
      "pre": [{"op": "resample", "spacing_mm": [1, 1, 1]}, {"op": "window", "center": -600, "width": 1500},
              {"op": "normalise", "method": "fixed", "mean": 0.5, "std": 0.25},
              {"op": "sliding_window", "patch_size": [64, 64, 64], "overlap": 0.5, "blend": "gaussian"}],
      "post": [{"op": "threshold", "value": 0.5}, {"op": "connected_components", "min_voxels": 10},
               {"op": "nms", "iou": 0.3, "max": 20}, {"op": "measure"}]
    },
    "writers": ["json", "sr-tid1500", "seg"],
    "files": {}
  })json");
}

// Manifest with `files` filled for the two standard files.
inline nlohmann::json manifest_with_files(nlohmann::json m = valid_manifest()) {
  m["files"] = {{"model/model.pt", "sha256:" + crypto::sha256_hex(kArtifact)},
                {"test/input.json", "sha256:" + crypto::sha256_hex(kTestInput)}};
  return m;
}

// The files of a signed package (manifest bytes exactly as signed).
inline PackageFiles signed_files(const SigningKey& key, const nlohmann::json& manifest = manifest_with_files()) {
  PackageFiles files;
  files["manifest.json"] = manifest.dump(2);
  files["manifest.sig"] = sign_manifest(files["manifest.json"], key);
  files["model/model.pt"] = kArtifact;
  files["test/input.json"] = kTestInput;
  return files;
}

inline std::string signed_package(const SigningKey& key, const nlohmann::json& manifest = manifest_with_files()) {
  return write_package_archive(signed_files(key, manifest)).value();
}

}  // namespace medai::packages::testing

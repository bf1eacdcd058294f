#pragma once
// A trainer's manifest fragment must make a schema-valid app manifest as it
// is (what `medai train package` / GET …/package builds, before any overlay).
#include <gtest/gtest.h>

#include "packages/manifest.h"
#include "training/app_package.h"
#include "training/trainer.h"

namespace medai::training::testing {

inline void expect_packageable(const TrainingOutcome& out, const std::string& architecture) {
  TrainedModel model;
  model.job_id = "job-test";
  model.runtime = out.runtime;
  model.manifest_fragment = out.manifest_fragment;
  model.report = out.report;
  model.run = {{"architecture", architecture}, {"task", "x"}, {"dataset_id", "ds"}, {"dataset_version", 1}, {"seed", 1}};
  nlohmann::json m = app_manifest_for(model, {.name = "trained-app", .version = "1.0.0", .vendor = "acme"});
  // Packing lists every file it packs: the model and the training report.
  m["files"] = {{m["model"]["artifact"].get<std::string>(), "sha256:" + std::string(64, '0')},
                {kReportFile, "sha256:" + std::string(64, '1')}};
  const auto problems = packages::check_manifest(m, "acme");
  for (const auto& p : problems) ADD_FAILURE() << architecture << " manifest " << p.path << ": " << p.message;
}

}  // namespace medai::training::testing

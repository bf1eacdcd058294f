#pragma once
// The reference apps a new installation starts with (`medai serve --demo`):
// the signed packages committed under apps/<name>/<name>-<version>.medai,
// built by scripts/train-reference-apps.sh and signed with the key whose
// public half is apps/medai-reference.pub.json (vendor "medai-reference").
//
// Installing one goes through the same gate as a vendor's upload (signature
// against the registered key, manifest, hashes, sandboxed check run); the
// platform admin then makes it public and approves it for the platform
// institution. Each imaging app also gets one synthetic demo study of its
// kind and one app.run job on it, so its results are there on first look.
#include <filesystem>
#include <string>
#include <vector>

#include "access/directory.h"
#include "core/status.h"
#include "dicom/instance_store.h"
#include "jobs/job_engine.h"
#include "packages/app_catalog.h"

namespace medai::apps {

inline constexpr const char* kReferenceVendor = "medai-reference";

struct ReferenceAppInstall {
  std::string file;     // package file name
  std::string name, version;
  std::string outcome;  // installed | present | failed
  std::string detail;   // error code and message when failed
};

// Installs every apps/*/*.medai below `folder`. Nothing to do (empty list)
// when the folder has no medai-reference.pub.json. A package that fails is
// reported and skipped; the others still install.
Result<std::vector<ReferenceAppInstall>> install_reference_apps(access::Directory& directory,
                                                                packages::AppCatalog& catalog,
                                                                const std::filesystem::path& folder,
                                                                const std::string& approve_for_institution_id);

struct DemoRun {
  std::string app, version, study_uid, job_id;
};

// For each approved imaging reference app of `institution_id` without a demo
// run yet (marker files in `state_dir`): writes one synthetic study of the
// app's kind (chest CT for CT detection, planning CT for CT segmentation,
// a 4-view mammogram for MG), stores it, and queues one app.run job.
Result<std::vector<DemoRun>> queue_demo_runs(packages::AppCatalog& catalog, dicom::InstanceStore& store,
                                             jobs::JobEngine& jobs, const std::vector<ReferenceAppInstall>& installed,
                                             const std::string& institution_id,
                                             const std::filesystem::path& state_dir);

}  // namespace medai::apps

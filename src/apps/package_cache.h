#pragma once
// Unpacked app packages on disk, one folder per package digest, shared by
// the app.run jobs and the KServe v2 endpoint. A folder is created once
// (temp folder + rename) from the stored archive, after checking the
// manifest bytes against the digest again, so a blob store altered behind
// the catalog's back is refused (package_tampered).
#include <filesystem>
#include <mutex>

#include "core/status.h"
#include "packages/app_catalog.h"
#include "runtime/model_runtime.h"

namespace medai::apps {

class PackageCache {
 public:
  PackageCache(packages::AppCatalog& catalog, std::filesystem::path root)
      : catalog_(catalog), root_(std::move(root)) {}

  // The package's files below root/<digest hex>/.
  Result<std::filesystem::path> unpacked(const packages::RunnableApp& app);

 private:
  packages::AppCatalog& catalog_;
  std::filesystem::path root_;
  std::mutex mu_;
};

// The runtime's view of an app version: key name@version, the manifest's
// runtime and artifact (inside `package_dir`), threads, remote settings.
runtime::ModelSpec model_spec_of(const packages::RunnableApp& app, const std::filesystem::path& package_dir,
                                 int default_threads);

}  // namespace medai::apps

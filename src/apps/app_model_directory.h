#pragma once
// The models medai serves on its KServe v2 endpoint (/v2): the operator's
// own models (runtime.models_file) and every app version approved at the
// caller's institution (visible to it, not withdrawn). A caller of another
// institution sees neither the app nor its model.
#include <memory>

#include "apps/package_cache.h"
#include "packages/app_catalog.h"
#include "runtime/model_directory.h"

namespace medai::apps {

class AppModelDirectory final : public runtime::ModelDirectory {
 public:
  AppModelDirectory(packages::AppCatalog& catalog, PackageCache& packages, const runtime::ModelDirectory* operator_models,
                    int default_threads)
      : catalog_(catalog), packages_(packages), operator_models_(operator_models), threads_(default_threads) {}

  std::optional<runtime::ServedModel> find(const runtime::ModelCaller& caller, const std::string& name,
                                           const std::optional<std::string>& version) const override;
  std::vector<runtime::ServedModel> list(const runtime::ModelCaller& caller) const override;

 private:
  std::optional<runtime::ServedModel> served(const runtime::ModelCaller& caller,
                                             const packages::RunnableApp& app) const;
  packages::AppCatalog& catalog_;
  PackageCache& packages_;
  const runtime::ModelDirectory* operator_models_;
  int threads_;
};

}  // namespace medai::apps

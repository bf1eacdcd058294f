#include "apps/app_model_directory.h"

namespace medai::apps {

std::optional<runtime::ServedModel> AppModelDirectory::served(const runtime::ModelCaller& caller,
                                                              const packages::RunnableApp& app) const {
  auto dir = packages_.unpacked(app);
  if (!dir) return std::nullopt;
  runtime::ServedModel m;
  m.name = app.app_name;
  m.version = app.version;
  m.spec = model_spec_of(app, *dir, threads_);
  m.institutions = {caller.institution_id};
  return m;
}

std::optional<runtime::ServedModel> AppModelDirectory::find(const runtime::ModelCaller& caller,
                                                            const std::string& name,
                                                            const std::optional<std::string>& version) const {
  if (operator_models_)
    if (auto m = operator_models_->find(caller, name, version)) return m;
  if (caller.institution_id.empty()) return std::nullopt;
  auto app = catalog_.resolve_runnable(caller.institution_id, name, version.value_or(""));
  if (!app) return std::nullopt;  // unknown, hidden, not approved or withdrawn: all look alike
  return served(caller, *app);
}

std::vector<runtime::ServedModel> AppModelDirectory::list(const runtime::ModelCaller& caller) const {
  std::vector<runtime::ServedModel> out;
  if (operator_models_) out = operator_models_->list(caller);
  if (caller.institution_id.empty()) return out;
  access::Principal reader;
  reader.user_id = "kserve";
  reader.institution_id = caller.institution_id;
  reader.roles = {access::Role::doctor};
  auto apps = catalog_.list_apps(reader);
  if (!apps) return out;
  for (const auto& a : *apps)
    for (const auto& v : a.versions) {
      if (!v.approved || v.status == packages::VersionStatus::withdrawn) continue;
      auto app = catalog_.resolve_runnable(caller.institution_id, a.name, v.version);
      if (!app) continue;
      if (auto m = served(caller, *app)) out.push_back(std::move(*m));
    }
  return out;
}

}  // namespace medai::apps

#include "runtime/model_directory.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace medai::runtime {
namespace {

bool valid_segment(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

bool visible(const ServedModel& m, const ModelCaller& caller) {
  return caller.platform_admin || m.institutions.empty() || m.institutions.count(caller.institution_id) > 0;
}

}  // namespace

bool version_less(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string pa, pb;
  for (;;) {
    const bool ha = static_cast<bool>(std::getline(sa, pa, '.'));
    const bool hb = static_cast<bool>(std::getline(sb, pb, '.'));
    if (!ha || !hb) return !ha && hb;
    const bool na = !pa.empty() && std::all_of(pa.begin(), pa.end(), ::isdigit);
    const bool nb = !pb.empty() && std::all_of(pb.begin(), pb.end(), ::isdigit);
    if (na && nb && pa.size() < 19 && pb.size() < 19) {
      const auto va = std::stoll(pa), vb = std::stoll(pb);
      if (va != vb) return va < vb;
    } else if (pa != pb) {
      return pa < pb;
    }
  }
}

Status StaticModelDirectory::add(ServedModel model) {
  if (!valid_segment(model.name) || !valid_segment(model.version))
    return make_error(ErrorCode::invalid_argument, "model name and version must match [A-Za-z0-9._-]{1,64}");
  const auto& names = runtime_names();
  if (std::find(names.begin(), names.end(), model.spec.runtime) == names.end())
    return make_error(ErrorCode::invalid_argument, "unknown model runtime '" + model.spec.runtime + "'",
                      {{"known", names}});
  model.spec.key = model.name + "@" + model.version;
  std::lock_guard lock(mu_);
  auto& versions = models_[model.name];
  if (versions.count(model.version))
    return make_error(ErrorCode::already_exists, "model " + model.spec.key + " is already registered");
  versions.emplace(model.version, std::move(model));
  return Status::ok();
}

std::optional<ServedModel> StaticModelDirectory::find(const ModelCaller& caller, const std::string& name,
                                                      const std::optional<std::string>& version) const {
  std::lock_guard lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return std::nullopt;
  const ServedModel* best = nullptr;
  for (const auto& [v, m] : it->second) {
    if (!visible(m, caller)) continue;
    if (version) {
      if (v == *version) return m;
    } else if (!best || version_less(best->version, v)) {
      best = &m;
    }
  }
  if (best) return *best;
  return std::nullopt;
}

std::vector<ServedModel> StaticModelDirectory::list(const ModelCaller& caller) const {
  std::lock_guard lock(mu_);
  std::vector<ServedModel> out;
  for (const auto& [n, versions] : models_)
    for (const auto& [v, m] : versions)
      if (visible(m, caller)) out.push_back(m);
  return out;
}

Status load_models_file(const std::filesystem::path& file, StaticModelDirectory& directory) {
  std::ifstream in(file);
  if (!in) return make_error(ErrorCode::config_error, "cannot read runtime.models_file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_array()) return make_error(ErrorCode::config_error, "runtime.models_file must hold a JSON array");
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    auto bad = [&](const std::string& why) {
      return make_error(ErrorCode::config_error, "runtime.models_file entry " + std::to_string(i) + ": " + why);
    };
    if (!e.is_object()) return bad("must be an object");
    ServedModel m;
    try {
      m.name = e.at("name").get<std::string>();
      m.version = e.value("version", std::string("1"));
      m.spec.runtime = e.at("runtime").get<std::string>();
      if (e.contains("artifact")) {
        std::filesystem::path a = e.at("artifact").get<std::string>();
        m.spec.artifact = a.is_absolute() ? a : file.parent_path() / a;
      }
      m.spec.threads = e.value("threads", 0);
      if (e.contains("remote")) m.spec.remote = e.at("remote");
      if (e.contains("inputs")) m.inputs = e.at("inputs");
      if (e.contains("outputs")) m.outputs = e.at("outputs");
      if (e.contains("institutions"))
        for (const auto& inst : e.at("institutions")) m.institutions.insert(inst.get<std::string>());
    } catch (const nlohmann::json::exception& ex) {
      return bad(std::string("wrong or missing field: ") + ex.what());
    }
    Status s = directory.add(std::move(m));
    if (!s.is_ok()) return bad(s.message());
  }
  return Status::ok();
}

}  // namespace medai::runtime

#pragma once
// ModelDirectory: which models medai serves on its KServe v2 endpoint, and
// to whom. The HTTP layer asks it (name, version) → ModelSpec; the app
// catalog backs it once merged (approved app versions visible to the
// caller's institution). StaticModelDirectory is the in-memory
// implementation used for operator-configured models (runtime.models_file)
// and tests.
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/model_runtime.h"

namespace medai::runtime {

// Who is asking (mapped from the authenticated principal by the caller).
struct ModelCaller {
  std::string institution_id;
  bool platform_admin = false;  // sees every model
};

struct ServedModel {
  std::string name;
  std::string version;
  ModelSpec spec;  // spec.key = name@version
  // Optional KServe metadata: [{"name","datatype","shape"}] (shape -1 = any).
  nlohmann::json inputs = nlohmann::json::array();
  nlohmann::json outputs = nlohmann::json::array();
  // Institutions that may call it; empty = every authenticated caller.
  std::set<std::string> institutions;
};

class ModelDirectory {
 public:
  virtual ~ModelDirectory() = default;
  // The model version visible to `caller`; with no version, the newest
  // (highest semver-ish, see version_less). nullopt when unknown or hidden
  // (the two are indistinguishable to the caller, like not_found elsewhere).
  virtual std::optional<ServedModel> find(const ModelCaller& caller, const std::string& name,
                                          const std::optional<std::string>& version) const = 0;
  // Every model version visible to `caller`.
  virtual std::vector<ServedModel> list(const ModelCaller& caller) const = 0;
};

// Orders versions numerically by dot-separated parts ("1.10" > "1.9"),
// falling back to text for non-numeric parts.
bool version_less(const std::string& a, const std::string& b);

class StaticModelDirectory final : public ModelDirectory {
 public:
  // already_exists for a duplicate name@version; invalid_argument for a
  // name/version outside [A-Za-z0-9._-]{1,64} or an unknown runtime.
  Status add(ServedModel model);
  std::optional<ServedModel> find(const ModelCaller& caller, const std::string& name,
                                  const std::optional<std::string>& version) const override;
  std::vector<ServedModel> list(const ModelCaller& caller) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, ServedModel>> models_;  // name → version → model
};

// Reads runtime.models_file: a JSON array of {"name", "version", "runtime",
// "artifact" (relative to the file's folder), "threads", "remote",
// "inputs", "outputs", "institutions"}. config_error naming the entry on any problem.
Status load_models_file(const std::filesystem::path& file, StaticModelDirectory& directory);

}  // namespace medai::runtime

#pragma once
// The app catalog: vendor signing keys, published apps and their immutable
// versions, visibility and per-institution approvals (migration 0006_apps).
// Every entry point takes the calling Principal and enforces roles and
// tenancy itself, so HTTP, CLI and jobs share one set of rules:
//   - partner: registers/revokes keys and publishes for its own institution
//     (the vendor; handle = institutions.name), manages its apps' versions
//     and visibility; admin may do all of it for any vendor.
//   - an app is visible to its vendor, platform admins, every institution
//     when public, and the institutions the vendor granted.
//   - institution_admin approves/revokes versions for its own institution;
//     clinicians run only approved, non-withdrawn versions (resolve_runnable).
// Every change writes an audit row in the same transaction.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "core/status.h"
#include "packages/package_verifier.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace medai::packages {

struct VendorKey {
  std::string key_id;
  std::string institution_id;
  std::string vendor;      // institution name
  std::string public_key;  // base64
  std::string name;
  std::string created_by;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> revoked_at;
};

enum class VersionStatus { active, deprecated, withdrawn };
std::string_view version_status_name(VersionStatus s);
std::optional<VersionStatus> version_status_from_name(std::string_view name);

struct AppVersion {
  std::string app_name;
  std::string version;
  std::string digest;
  nlohmann::json manifest;
  std::string package_sha256;
  std::int64_t package_bytes = 0;
  std::string key_id;
  VersionStatus status = VersionStatus::active;
  std::string status_reason;
  std::string created_by;
  std::int64_t created_at = 0;
  // For the caller's institution: approved (and not revoked) for clinical use,
  // and the evaluation the approval named (local validation), if any.
  bool approved = false;
  std::string approval_evaluation_id;
};

struct App {
  std::string id;
  std::string name;
  std::string vendor;  // vendor handle
  std::string vendor_institution_id;
  std::string display_name;
  bool is_public = false;
  std::vector<std::string> shared_with;  // institution ids; only filled for the vendor and admins
  std::int64_t created_at = 0;
  std::vector<AppVersion> versions;      // highest SemVer first
};

// What the job engine needs to run an app version at an institution.
struct RunnableApp {
  std::string app_name;
  std::string vendor;
  std::string version;
  std::string digest;
  nlohmann::json manifest;
  std::string package_sha256;  // blob holding the .medai archive
};

// Runs the app once in a sandbox on its built-in test input; a non-ok Status
// refuses the publish (its message is shown to the vendor). The folder holds
// the unpacked package and is removed afterwards.
using CheckRun = std::function<Status(const VerifiedPackage& package, const std::filesystem::path& unpacked_dir)>;

// The check used until a runtime check is wired: the model artifact was
// unpacked and is not empty (kserve-v2 apps have none). It loads nothing.
Status artifact_present_check(const VerifiedPackage& package, const std::filesystem::path& unpacked_dir);

struct AppCatalogOptions {
  PackageLimits limits;
  std::filesystem::path work_dir;  // parent of temporary unpack folders (created if absent)
  CheckRun check_run;              // required; the lead wires the runtime's sandboxed check
};

class AppCatalog {
 public:
  AppCatalog(storage::Catalog& catalog, storage::BlobStore& blobs, AppCatalogOptions options);

  // Vendor keys. `institution_id` is only for admins acting for a vendor
  // (partners always register for their own institution).
  Result<VendorKey> register_vendor_key(const access::Principal& who, const std::string& public_key_base64,
                                        const std::string& name, const std::string& institution_id = {});
  Result<std::vector<VendorKey>> list_vendor_keys(const access::Principal& who);
  Status revoke_vendor_key(const access::Principal& who, const std::string& key_id);

  // Verifies, validates, runs the check, then stores the package blob and
  // the rows in one transaction. Nothing is left behind on failure.
  // Duplicate (name, version) or a name owned by another vendor: conflict.
  Result<AppVersion> publish(const access::Principal& who, std::string_view package_bytes);

  Result<std::vector<App>> list_apps(const access::Principal& who);
  Result<App> get_app(const access::Principal& who, const std::string& name);
  Result<AppVersion> get_version(const access::Principal& who, const std::string& name, const std::string& version);

  // Vendor or admin. active -> deprecated -> withdrawn; withdrawn is final.
  Result<AppVersion> set_version_status(const access::Principal& who, const std::string& name,
                                        const std::string& version, VersionStatus status, const std::string& reason);
  // Vendor or admin: public flag and the institutions (ids or names) that may see it.
  Result<App> set_visibility(const access::Principal& who, const std::string& name, bool is_public,
                             const std::vector<std::string>& institutions);

  // Institution admin (own institution) or platform admin (`institution_id`).
  // `evaluation_id`: the institution's own evaluation of the version, kept
  // with the approval (the caller checks it is one; see app_routes.cc).
  Status approve(const access::Principal& who, const std::string& name, const std::string& version,
                 const std::string& institution_id = {}, const std::string& evaluation_id = {});
  Status revoke_approval(const access::Principal& who, const std::string& name, const std::string& version,
                         const std::string& institution_id = {});

  // For the job engine: the version to run for `institution_id`.
  // `version` = a SemVer string, or "" / "latest" for the highest approved,
  // non-withdrawn version. not_found when the app is not visible to the
  // institution; forbidden when not approved or withdrawn.
  Result<RunnableApp> resolve_runnable(const std::string& institution_id, const std::string& name,
                                       const std::string& version = {});
  // A version the caller can see, in the form the runtime unpacks, whether
  // or not it is approved here (evaluations and reports read any visible
  // version; only resolve_runnable decides what may run on patients).
  Result<RunnableApp> visible_runnable(const access::Principal& who, const std::string& name,
                                       const std::string& version);
  // The stored package archive of a version (for unpacking by the runtime).
  Result<std::string> read_package(const RunnableApp& app);

  const PackageLimits& limits() const { return options_.limits; }

 private:
  storage::Catalog& catalog_;
  storage::BlobStore& blobs_;
  AppCatalogOptions options_;
};

nlohmann::json to_json(const VendorKey& k);
nlohmann::json to_json(const AppVersion& v, bool with_manifest = true);
nlohmann::json to_json(const App& a);

}  // namespace medai::packages

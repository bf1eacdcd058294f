#include "packages/app_catalog.h"
#include "core/files.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "access/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "packages/signing.h"

namespace medai::packages {

using access::Principal;
using access::Role;
using nlohmann::json;
using storage::Params;
using storage::Row;
using storage::Transaction;
using storage::TxMode;

std::string_view version_status_name(VersionStatus s) {
  switch (s) {
    case VersionStatus::active: return "active";
    case VersionStatus::deprecated: return "deprecated";
    case VersionStatus::withdrawn: return "withdrawn";
  }
  return "active";
}

std::optional<VersionStatus> version_status_from_name(std::string_view name) {
  if (name == "active") return VersionStatus::active;
  if (name == "deprecated") return VersionStatus::deprecated;
  if (name == "withdrawn") return VersionStatus::withdrawn;
  return std::nullopt;
}

namespace {

struct AppRow {
  std::string id, name, vendor_institution_id, vendor, display_name;
  bool is_public = false;
  std::int64_t created_at = 0;
};

constexpr const char* kAppColumns =
    "a.id, a.name, a.vendor_institution_id, i.name AS vendor, a.display_name, a.is_public, a.created_at";

AppRow app_from(const Row& r) {
  return {r.get_text("id"),           r.get_text("name"),           r.get_text("vendor_institution_id"),
          r.get_text("vendor"),       r.get_text("display_name"),   r.get_int("is_public") != 0,
          r.get_int("created_at")};
}

Result<std::optional<AppRow>> find_app(Transaction& tx, const std::string& name) {
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one(std::string("SELECT ") + kAppColumns +
                                                    " FROM apps a JOIN institutions i ON i.id = a.vendor_institution_id"
                                                    " WHERE a.name = $1",
                                                {name}));
  if (!row) return std::optional<AppRow>();
  return std::optional<AppRow>(app_from(*row));
}

bool owns(const Principal& who, const AppRow& app) {
  return who.is_platform_admin() || (who.has_role(Role::partner) && who.institution_id == app.vendor_institution_id);
}

Result<bool> visible_to_institution(Transaction& tx, const AppRow& app, const std::string& institution_id) {
  if (app.is_public || app.vendor_institution_id == institution_id) return true;
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT 1 AS x FROM app_visibility WHERE app_id = $1 AND "
                                                "institution_id = $2",
                                                {app.id, institution_id}));
  return row.has_value();
}

Result<bool> visible(Transaction& tx, const Principal& who, const AppRow& app) {
  if (who.is_platform_admin()) return true;
  return visible_to_institution(tx, app, who.institution_id);
}

Status app_not_found(const std::string& name) {
  return make_error(ErrorCode::not_found, "no app named '" + name + "' is visible to you");
}

// The app, or not_found when it does not exist or the caller may not see it.
Result<AppRow> visible_app(Transaction& tx, const Principal& who, const std::string& name) {
  MEDAI_ASSIGN_OR_RETURN(auto app, find_app(tx, name));
  if (!app) return app_not_found(name);
  MEDAI_ASSIGN_OR_RETURN(bool ok, visible(tx, who, *app));
  if (!ok) return app_not_found(name);
  return std::move(*app);
}

constexpr const char* kVersionColumns =
    "version, digest, manifest_json, package_sha256, package_bytes, key_id, status, status_reason, created_by, "
    "created_at";

AppVersion version_from(const Row& r, const std::string& app_name) {
  AppVersion v;
  v.app_name = app_name;
  v.version = r.get_text("version");
  v.digest = r.get_text("digest");
  v.manifest = json::parse(r.get_text("manifest_json"), nullptr, false);
  v.package_sha256 = r.get_text("package_sha256");
  v.package_bytes = r.get_int("package_bytes");
  v.key_id = r.get_text("key_id");
  v.status = version_status_from_name(r.get_text("status")).value_or(VersionStatus::withdrawn);
  v.status_reason = r.get_text("status_reason");
  v.created_by = r.get_text("created_by");
  v.created_at = r.get_int("created_at");
  return v;
}

// Highest SemVer precedence first (not upload order).
void sort_versions(std::vector<AppVersion>& versions) {
  std::stable_sort(versions.begin(), versions.end(), [](const AppVersion& a, const AppVersion& b) {
    auto sa = parse_semver(a.version), sb = parse_semver(b.version);
    if (!sa || !sb) return a.version > b.version;
    return compare_semver(*sa, *sb) > 0;
  });
}

Result<std::vector<AppVersion>> load_versions(Transaction& tx, const AppRow& app, const std::string& institution_id) {
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx.query(std::string("SELECT ") + kVersionColumns +
                                                 " FROM app_versions WHERE app_id = $1",
                                             {app.id}));
  MEDAI_ASSIGN_OR_RETURN(auto approved_rows,
                         tx.query("SELECT version, evaluation_id FROM app_approvals WHERE app_id = $1 AND "
                                  "institution_id = $2 AND revoked_at IS NULL",
                                  {app.id, institution_id}));
  std::map<std::string, std::string> approved;  // version → evaluation id ("" for none)
  for (const auto& r : approved_rows)
    approved[r.get_text("version")] = r.is_null("evaluation_id") ? "" : r.get_text("evaluation_id");
  std::vector<AppVersion> out;
  for (const auto& r : rows) {
    out.push_back(version_from(r, app.name));
    const auto it = approved.find(out.back().version);
    out.back().approved = it != approved.end();
    if (it != approved.end()) out.back().approval_evaluation_id = it->second;
  }
  sort_versions(out);
  return out;
}

Result<App> assemble_app(Transaction& tx, const Principal& who, const AppRow& row) {
  App app;
  app.id = row.id;
  app.name = row.name;
  app.vendor = row.vendor;
  app.vendor_institution_id = row.vendor_institution_id;
  app.display_name = row.display_name;
  app.is_public = row.is_public;
  app.created_at = row.created_at;
  MEDAI_ASSIGN_OR_RETURN(app.versions, load_versions(tx, row, who.institution_id));
  if (owns(who, row)) {
    MEDAI_ASSIGN_OR_RETURN(auto shared, tx.query("SELECT institution_id FROM app_visibility WHERE app_id = $1 "
                                                 "ORDER BY institution_id",
                                                 {row.id}));
    for (const auto& r : shared) app.shared_with.push_back(r.get_text("institution_id"));
  }
  return app;
}

Result<std::string> institution_name(Transaction& tx, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT name FROM institutions WHERE id = $1", {id}));
  if (!row) return make_error(ErrorCode::not_found, "no such institution");
  return row->get_text("name");
}

// An institution given by id or by name.
Result<std::string> institution_id_of(Transaction& tx, const std::string& id_or_name) {
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT id FROM institutions WHERE id = $1 OR name = $1", {id_or_name}));
  if (!row) return make_error(ErrorCode::not_found, "no such institution", {{"institution", id_or_name}});
  return row->get_text("id");
}

VendorKey key_from(const Row& r) {
  VendorKey k;
  k.key_id = r.get_text("key_id");
  k.institution_id = r.get_text("institution_id");
  k.vendor = r.get_text("vendor");
  k.public_key = r.get_text("public_key");
  k.name = r.get_text("name");
  k.created_by = r.get_text("created_by");
  k.created_at = r.get_int("created_at");
  k.revoked_at = r.get_optional_int("revoked_at");
  return k;
}

Status forbidden(std::string message) { return make_error(ErrorCode::forbidden, std::move(message)); }

}  // namespace

Status artifact_present_check(const VerifiedPackage& package, const std::filesystem::path& unpacked_dir) {
  if (package.manifest.artifact.empty()) return Status::ok();
  std::error_code ec;
  const auto size = std::filesystem::file_size(unpacked_dir / package.manifest.artifact, ec);
  if (ec || size == 0) return make_error(ErrorCode::unprocessable, "the model artifact is missing or empty");
  return Status::ok();
}

AppCatalog::AppCatalog(storage::Catalog& catalog, storage::BlobStore& blobs, AppCatalogOptions options)
    : catalog_(catalog), blobs_(blobs), options_(std::move(options)) {
  // Check-run folders left by a crash. Only old ones: another process
  // sharing the data folder may be checking a package right now.
  std::error_code ec;
  const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  if (options_.work_dir.empty() || !std::filesystem::is_directory(options_.work_dir, ec)) return;
  for (const auto& entry : std::filesystem::directory_iterator(options_.work_dir, ec)) {
    if (entry.path().filename().string().rfind("app-check-", 0) != 0) continue;
    if (entry.last_write_time(ec) < cutoff && !ec) std::filesystem::remove_all(entry.path(), ec);
  }
}

// ---------------------------------------------------------------- vendor keys

Result<VendorKey> AppCatalog::register_vendor_key(const Principal& who, const std::string& public_key_base64,
                                                  const std::string& name, const std::string& institution_id) {
  if (!who.has_role(Role::partner) && !who.is_platform_admin())
    return forbidden("only partners (vendors) and platform admins register signing keys");
  MEDAI_ASSIGN_OR_RETURN(std::string raw, decode_public_key(public_key_base64));
  if (name.empty() || name.size() > 200)
    return make_error(ErrorCode::invalid_argument, "name must be 1 to 200 characters", {{"field", "name"}});
  VendorKey key;
  Status s = storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    std::string vendor_id = who.institution_id;
    if (!institution_id.empty() && institution_id != who.institution_id) {
      if (!who.is_platform_admin()) return forbidden("partners register keys for their own institution only");
      MEDAI_ASSIGN_OR_RETURN(vendor_id, institution_id_of(tx, institution_id));
    }
    MEDAI_ASSIGN_OR_RETURN(std::string vendor, institution_name(tx, vendor_id));
    key.key_id = signing_key_id(raw);
    MEDAI_ASSIGN_OR_RETURN(auto existing, tx.query_one("SELECT key_id FROM vendor_keys WHERE key_id = $1", {key.key_id}));
    if (existing) return make_error(ErrorCode::already_exists, "this public key is already registered",
                                    {{"key_id", key.key_id}});
    key.institution_id = vendor_id;
    key.vendor = vendor;
    key.public_key = base64_encode(raw);
    key.name = name;
    key.created_by = who.user_id;
    key.created_at = now_ms();
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO vendor_keys (key_id, institution_id, public_key, name, created_by, "
                                  "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                                  {key.key_id, key.institution_id, key.public_key, key.name, key.created_by,
                                   key.created_at})
                              .status());
    auto ev = access::audit_event(who, "vendor_key.register", "vendor_key", key.key_id);
    ev.institution_id = vendor_id;
    ev.detail = {{"name", name}};
    return access::record_audit(tx, ev);
  });
  if (!s) return s;
  return key;
}

Result<std::vector<VendorKey>> AppCatalog::list_vendor_keys(const Principal& who) {
  if (!who.has_role(Role::partner) && !who.is_platform_admin())
    return forbidden("only partners (vendors) and platform admins list signing keys");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  const std::string sql =
      "SELECT k.*, i.name AS vendor FROM vendor_keys k JOIN institutions i ON i.id = k.institution_id" +
      std::string(who.is_platform_admin() ? "" : " WHERE k.institution_id = $1") + " ORDER BY k.created_at, k.key_id";
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, who.is_platform_admin() ? Params{} : Params{who.institution_id}));
  std::vector<VendorKey> out;
  for (const auto& r : rows) out.push_back(key_from(r));
  return out;
}

Status AppCatalog::revoke_vendor_key(const Principal& who, const std::string& key_id) {
  if (!who.has_role(Role::partner) && !who.is_platform_admin())
    return forbidden("only partners (vendors) and platform admins revoke signing keys");
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT institution_id, revoked_at FROM vendor_keys WHERE key_id = $1",
                                                  {key_id}));
    if (!row || (!who.is_platform_admin() && row->get_text("institution_id") != who.institution_id))
      return make_error(ErrorCode::not_found, "no such signing key");
    if (row->get_optional_int("revoked_at")) return make_error(ErrorCode::conflict, "the key is already revoked");
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE vendor_keys SET revoked_at = $1, revoked_by = $2 WHERE key_id = $3",
                                  {now_ms(), who.user_id, key_id})
                              .status());
    auto ev = access::audit_event(who, "vendor_key.revoke", "vendor_key", key_id);
    ev.institution_id = row->get_text("institution_id");
    return access::record_audit(tx, ev);
  });
}

// ---------------------------------------------------------------- publish

Result<AppVersion> AppCatalog::publish(const Principal& who, std::string_view package_bytes) {
  auto audit_failure = [&](const Status& s) {
    auto ev = access::audit_event(who, "app.publish", "app_version", "", s.code() == ErrorCode::forbidden ? "denied" : "failed");
    ev.detail = {{"error", std::string(error_code_name(s.code()))}};
    (void)access::record_audit(catalog_, ev);
    return s;
  };
  if (!who.has_role(Role::partner) && !who.is_platform_admin())
    return audit_failure(forbidden("only partners (vendors) and platform admins publish apps"));
  if (!options_.check_run) return make_error(ErrorCode::unavailable, "app publishing is not configured (no check run)");

  // Keys the caller may sign with: its institution's live keys (admins: every vendor's).
  std::vector<TrustedKey> trusted;
  std::string expected_vendor;
  {
    auto tx = catalog_.begin(TxMode::read_only);
    if (!tx) return tx.status();
    const bool all = who.is_platform_admin();
    auto rows = (*tx)->query("SELECT k.key_id, k.public_key, i.name AS vendor FROM vendor_keys k JOIN institutions i "
                             "ON i.id = k.institution_id WHERE k.revoked_at IS NULL" +
                                 std::string(all ? "" : " AND k.institution_id = $1"),
                             all ? Params{} : Params{who.institution_id});
    if (!rows) return rows.status();
    for (const auto& r : *rows) {
      auto raw = decode_public_key(r.get_text("public_key"));
      if (raw) trusted.push_back({r.get_text("vendor"), r.get_text("key_id"), *raw});
    }
    if (!all) {
      auto name = institution_name(**tx, who.institution_id);
      if (!name) return name.status();
      expected_vendor = *name;
    }
  }

  auto verified = verify_package(package_bytes, trusted, options_.limits, expected_vendor);
  if (!verified) return audit_failure(verified.status());
  const Manifest& m = verified->manifest;

  // Cheap conflict checks before the (slow) check run; repeated in the write transaction.
  std::string vendor_institution_id;
  {
    auto tx = catalog_.begin(TxMode::read_only);
    if (!tx) return tx.status();
    auto vendor_row = (*tx)->query_one("SELECT id FROM institutions WHERE name = $1", {m.vendor});
    if (!vendor_row) return vendor_row.status();
    if (!*vendor_row) return audit_failure(make_error(ErrorCode::not_found, "no institution is the vendor '" + m.vendor + "'"));
    vendor_institution_id = (*vendor_row)->get_text("id");
    auto app = find_app(**tx, m.name);
    if (!app) return app.status();
    if (*app && (*app)->vendor_institution_id != vendor_institution_id)
      return audit_failure(make_error(ErrorCode::conflict, "the app name '" + m.name + "' belongs to another vendor"));
    if (*app) {
      auto v = (*tx)->query_one("SELECT version FROM app_versions WHERE app_id = $1 AND version = $2",
                                {(*app)->id, m.version});
      if (!v) return v.status();
      if (*v)
        return audit_failure(make_error(ErrorCode::conflict,
                                        "version " + m.version + " of '" + m.name + "' exists; versions are immutable",
                                        {{"name", m.name}, {"version", m.version}}));
    }
  }

  // The check run on an unpacked copy, removed whatever happens.
  {
    std::error_code ec;
    std::filesystem::create_directories(options_.work_dir, ec);
    ScopedFolder scratch{options_.work_dir / ("app-check-" + new_id("chk"))};
    if (Status s = unpack_package(*verified, scratch.path); !s) return audit_failure(s);
    Status check = options_.check_run(*verified, scratch.path);
    if (!check) {
      json detail = check.detail().is_null() ? json::object() : check.detail();
      detail["cause"] = std::string(error_code_name(check.code()));
      return audit_failure(make_error(ErrorCode::app_check_failed, "the check run failed: " + check.message(), detail));
    }
  }

  const bool blob_existed = blobs_.exists(crypto::sha256_hex(package_bytes));
  auto blob = blobs_.put(package_bytes);
  if (!blob) return blob.status();

  AppVersion out;
  Status s = storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto app, find_app(tx, m.name));
    const std::int64_t now = now_ms();
    std::string app_id;
    if (!app) {
      app_id = new_id("app");
      MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO apps (id, name, vendor_institution_id, display_name, is_public, "
                                    "created_by, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
                                    {app_id, m.name, vendor_institution_id,
                                     m.document["display_name"].get<std::string>(), who.user_id, now})
                                .status());
    } else {
      if (app->vendor_institution_id != vendor_institution_id)
        return make_error(ErrorCode::conflict, "the app name '" + m.name + "' belongs to another vendor");
      app_id = app->id;
      MEDAI_ASSIGN_OR_RETURN(auto v, tx.query_one("SELECT version FROM app_versions WHERE app_id = $1 AND version = $2",
                                                  {app_id, m.version}));
      if (v)
        return make_error(ErrorCode::conflict, "version " + m.version + " of '" + m.name + "' exists; versions are immutable",
                          {{"name", m.name}, {"version", m.version}});
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE apps SET display_name = $1 WHERE id = $2",
                                    {m.document["display_name"].get<std::string>(), app_id})
                                .status());
    }
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO app_versions (app_id, version, digest, manifest_json, package_sha256, "
                                  "package_bytes, key_id, status, status_reason, created_by, created_at) VALUES "
                                  "($1, $2, $3, $4, $5, $6, $7, 'active', '', $8, $9)",
                                  {app_id, m.version, verified->digest, verified->manifest_bytes, blob->sha256,
                                   static_cast<std::int64_t>(blob->size), verified->key_id, who.user_id, now})
                              .status());
    auto ev = access::audit_event(who, "app.publish", "app_version", m.name + "@" + m.version);
    ev.institution_id = vendor_institution_id;
    ev.detail = {{"digest", verified->digest}, {"key_id", verified->key_id}};
    MEDAI_RETURN_IF_ERROR(access::record_audit(tx, ev));
    out.app_name = m.name;
    out.version = m.version;
    out.digest = verified->digest;
    out.manifest = m.document;
    out.package_sha256 = blob->sha256;
    out.package_bytes = static_cast<std::int64_t>(blob->size);
    out.key_id = verified->key_id;
    out.created_by = who.user_id;
    out.created_at = now;
    return Status::ok();
  });
  if (!s) {
    if (!blob_existed) (void)blobs_.remove(blob->sha256);
    return audit_failure(s);
  }
  return out;
}

// ---------------------------------------------------------------- reading

Result<std::vector<App>> AppCatalog::list_apps(const Principal& who) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  std::string sql = std::string("SELECT ") + kAppColumns +
                    " FROM apps a JOIN institutions i ON i.id = a.vendor_institution_id";
  Params params;
  if (!who.is_platform_admin()) {
    sql += " WHERE a.is_public = 1 OR a.vendor_institution_id = $1 OR EXISTS (SELECT 1 FROM app_visibility v WHERE "
           "v.app_id = a.id AND v.institution_id = $1)";
    params.push_back(who.institution_id);
  }
  sql += " ORDER BY a.name";
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, params));
  std::vector<App> out;
  for (const auto& r : rows) {
    MEDAI_ASSIGN_OR_RETURN(App app, assemble_app(*tx, who, app_from(r)));
    out.push_back(std::move(app));
  }
  return out;
}

Result<App> AppCatalog::get_app(const Principal& who, const std::string& name) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(AppRow row, visible_app(*tx, who, name));
  return assemble_app(*tx, who, row);
}

Result<AppVersion> AppCatalog::get_version(const Principal& who, const std::string& name, const std::string& version) {
  MEDAI_ASSIGN_OR_RETURN(App app, get_app(who, name));
  for (auto& v : app.versions)
    if (v.version == version) return std::move(v);
  return make_error(ErrorCode::not_found, "app '" + name + "' has no version " + version);
}

// ---------------------------------------------------------------- vendor changes

Result<AppVersion> AppCatalog::set_version_status(const Principal& who, const std::string& name,
                                                  const std::string& version, VersionStatus status,
                                                  const std::string& reason) {
  if (reason.size() > 2000) return make_error(ErrorCode::invalid_argument, "reason is limited to 2000 characters");
  Status s = storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(AppRow app, visible_app(tx, who, name));
    if (!owns(who, app)) return forbidden("only the app's vendor or a platform admin changes a version's status");
    MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT status FROM app_versions WHERE app_id = $1 AND version = $2",
                                                  {app.id, version}));
    if (!row) return make_error(ErrorCode::not_found, "app '" + name + "' has no version " + version);
    const auto current = version_status_from_name(row->get_text("status")).value_or(VersionStatus::withdrawn);
    if (current == status) return Status::ok();  // idempotent
    if (static_cast<int>(status) < static_cast<int>(current))
      return make_error(ErrorCode::conflict, "a version goes active -> deprecated -> withdrawn only",
                        {{"status", version_status_name(current)}});
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE app_versions SET status = $1, status_reason = $2, status_changed_at = $3, "
                                  "status_changed_by = $4 WHERE app_id = $5 AND version = $6",
                                  {std::string(version_status_name(status)), reason, now_ms(), who.user_id, app.id,
                                   version})
                              .status());
    auto ev = access::audit_event(who, std::string("app.") + (status == VersionStatus::withdrawn ? "withdraw" : "deprecate"),
                                  "app_version", name + "@" + version);
    ev.institution_id = app.vendor_institution_id;
    ev.detail = {{"reason", reason}};
    return access::record_audit(tx, ev);
  });
  if (!s) return s;
  return get_version(who, name, version);
}

Result<App> AppCatalog::set_visibility(const Principal& who, const std::string& name, bool is_public,
                                       const std::vector<std::string>& institutions) {
  if (institutions.size() > 10000) return make_error(ErrorCode::invalid_argument, "too many institutions");
  Status s = storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(AppRow app, visible_app(tx, who, name));
    if (!owns(who, app)) return forbidden("only the app's vendor or a platform admin sets its visibility");
    std::vector<std::string> ids;
    for (const auto& i : institutions) {
      MEDAI_ASSIGN_OR_RETURN(std::string id, institution_id_of(tx, i));
      if (id != app.vendor_institution_id && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE apps SET is_public = $1 WHERE id = $2",
                                  {std::int64_t(is_public ? 1 : 0), app.id})
                              .status());
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM app_visibility WHERE app_id = $1", {app.id}).status());
    const std::int64_t now = now_ms();
    for (const auto& id : ids)
      MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO app_visibility (app_id, institution_id, granted_by, granted_at) "
                                    "VALUES ($1, $2, $3, $4)",
                                    {app.id, id, who.user_id, now})
                                .status());
    auto ev = access::audit_event(who, "app.visibility", "app", name);
    ev.institution_id = app.vendor_institution_id;
    ev.detail = {{"public", is_public}, {"institutions", ids}};
    return access::record_audit(tx, ev);
  });
  if (!s) return s;
  return get_app(who, name);
}

// ---------------------------------------------------------------- approvals

namespace {

// The app and the institution an approval change is for: the caller's own,
// or (platform admins) the one named; the app must be visible to it.
Result<std::pair<AppRow, std::string>> approval_scope(Transaction& tx, const Principal& who, const std::string& name,
                                                      const std::string& institution_id, const std::string& what) {
  std::string target = who.institution_id;
  if (!institution_id.empty()) {
    MEDAI_ASSIGN_OR_RETURN(target, institution_id_of(tx, institution_id));
  }
  if (!who.can_administer(target))
    return forbidden("only an institution admin of the institution (or a platform admin) " + what);
  MEDAI_ASSIGN_OR_RETURN(auto app, find_app(tx, name));
  if (!app) return app_not_found(name);
  MEDAI_ASSIGN_OR_RETURN(bool seen, visible_to_institution(tx, *app, target));
  if (!seen) return app_not_found(name);
  return std::pair<AppRow, std::string>{std::move(*app), std::move(target)};
}

}  // namespace

Status AppCatalog::approve(const Principal& who, const std::string& name, const std::string& version,
                           const std::string& institution_id, const std::string& evaluation_id) {
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto scope, approval_scope(tx, who, name, institution_id, "approves apps"));
    auto& [app, target] = scope;
    MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT status FROM app_versions WHERE app_id = $1 AND version = $2",
                                                  {app.id, version}));
    if (!row) return make_error(ErrorCode::not_found, "app '" + name + "' has no version " + version);
    if (row->get_text("status") == "withdrawn")
      return make_error(ErrorCode::conflict, "version " + version + " was withdrawn by its vendor");
    const std::int64_t now = now_ms();
    const storage::Value evaluation_value =
        evaluation_id.empty() ? storage::Value(nullptr) : storage::Value(evaluation_id);
    MEDAI_ASSIGN_OR_RETURN(std::int64_t updated,
                           tx.exec("UPDATE app_approvals SET approved_by = $1, approved_at = $2, revoked_by = NULL, "
                                   "revoked_at = NULL, evaluation_id = $6 WHERE app_id = $3 AND version = $4 AND "
                                   "institution_id = $5",
                                   {who.user_id, now, app.id, version, target, evaluation_value}));
    if (updated == 0)
      MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO app_approvals (app_id, version, institution_id, approved_by, "
                                    "approved_at, evaluation_id) VALUES ($1, $2, $3, $4, $5, $6)",
                                    {app.id, version, target, who.user_id, now, evaluation_value})
                                .status());
    auto ev = access::audit_event(who, "app.approve", "app_version", name + "@" + version);
    ev.institution_id = target;
    if (!evaluation_id.empty()) ev.detail = {{"evaluation_id", evaluation_id}};
    return access::record_audit(tx, ev);
  });
}

Status AppCatalog::revoke_approval(const Principal& who, const std::string& name, const std::string& version,
                                   const std::string& institution_id) {
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto scope, approval_scope(tx, who, name, institution_id, "revokes approvals"));
    auto& [app, target] = scope;
    MEDAI_ASSIGN_OR_RETURN(std::int64_t updated,
                           tx.exec("UPDATE app_approvals SET revoked_by = $1, revoked_at = $2 WHERE app_id = $3 AND "
                                   "version = $4 AND institution_id = $5 AND revoked_at IS NULL",
                                   {who.user_id, now_ms(), app.id, version, target}));
    if (updated == 0) return make_error(ErrorCode::not_found, "version " + version + " is not approved here");
    auto ev = access::audit_event(who, "app.revoke_approval", "app_version", name + "@" + version);
    ev.institution_id = target;
    return access::record_audit(tx, ev);
  });
}

Result<RunnableApp> AppCatalog::resolve_runnable(const std::string& institution_id, const std::string& name,
                                                 const std::string& version) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto app, find_app(*tx, name));
  if (!app) return app_not_found(name);
  MEDAI_ASSIGN_OR_RETURN(bool seen, visible_to_institution(*tx, *app, institution_id));
  if (!seen) return app_not_found(name);
  MEDAI_ASSIGN_OR_RETURN(auto versions, load_versions(*tx, *app, institution_id));
  const bool latest = version.empty() || version == "latest";
  for (const auto& v : versions) {  // highest SemVer first
    if (!latest && v.version != version) continue;
    if (v.status == VersionStatus::withdrawn) {
      if (latest) continue;
      return forbidden("version " + v.version + " of '" + name + "' was withdrawn by its vendor");
    }
    if (!v.approved) {
      if (latest) continue;
      return forbidden("version " + v.version + " of '" + name + "' is not approved at this institution");
    }
    return RunnableApp{app->name, app->vendor, v.version, v.digest, v.manifest, v.package_sha256};
  }
  if (latest) return forbidden("no version of '" + name + "' is approved (and not withdrawn) at this institution");
  return make_error(ErrorCode::not_found, "app '" + name + "' has no version " + version);
}

Result<RunnableApp> AppCatalog::visible_runnable(const Principal& who, const std::string& name,
                                                 const std::string& version) {
  MEDAI_ASSIGN_OR_RETURN(App app, get_app(who, name));
  for (auto& v : app.versions)
    if (v.version == version)
      return RunnableApp{app.name, app.vendor, v.version, v.digest, std::move(v.manifest), v.package_sha256};
  return make_error(ErrorCode::not_found, "app '" + name + "' has no version " + version);
}

Result<std::string> AppCatalog::read_package(const RunnableApp& app) { return blobs_.read(app.package_sha256); }

// ---------------------------------------------------------------- JSON

json to_json(const VendorKey& k) {
  return {{"key_id", k.key_id},
          {"institution_id", k.institution_id},
          {"vendor", k.vendor},
          {"public_key", k.public_key},
          {"name", k.name},
          {"created_by", k.created_by},
          {"created_at", iso8601_utc(k.created_at)},
          {"revoked_at", k.revoked_at ? json(iso8601_utc(*k.revoked_at)) : json(nullptr)}};
}

json to_json(const AppVersion& v, bool with_manifest) {
  json j = {{"name", v.app_name},
            {"version", v.version},
            {"digest", v.digest},
            {"status", version_status_name(v.status)},
            {"status_reason", v.status_reason},
            {"approved", v.approved},
            {"approval_evaluation_id", v.approval_evaluation_id.empty() ? json(nullptr) : json(v.approval_evaluation_id)},
            {"package_sha256", v.package_sha256},
            {"package_bytes", v.package_bytes},
            {"key_id", v.key_id},
            {"created_by", v.created_by},
            {"created_at", iso8601_utc(v.created_at)}};
  if (v.manifest.is_object()) {
    j["display_name"] = v.manifest.value("display_name", "");
    j["task"] = v.manifest.value("task", "");
    j["research_use_only"] = v.manifest.value("research_use_only", true);
  }
  if (with_manifest) j["manifest"] = v.manifest;
  return j;
}

json to_json(const App& a) {
  json versions = json::array();
  for (const auto& v : a.versions) versions.push_back(to_json(v, false));
  json j = {{"name", a.name},
            {"vendor", a.vendor},
            {"display_name", a.display_name},
            {"public", a.is_public},
            {"created_at", iso8601_utc(a.created_at)},
            {"versions", versions}};
  if (!a.shared_with.empty()) j["shared_with"] = a.shared_with;
  return j;
}

}  // namespace medai::packages

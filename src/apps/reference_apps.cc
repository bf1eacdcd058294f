#include "apps/reference_apps.h"

#include <algorithm>

#include "access/principal.h"
#include "core/files.h"
#include "core/log.h"
#include "packages/signing.h"
#include "synth/study_output.h"

namespace medai::apps {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<access::Institution> vendor_institution(access::Directory& directory) {
  const access::Principal system = access::system_principal();
  auto found = directory.find_institution(system, kReferenceVendor);
  if (found || found.status().code() != ErrorCode::not_found) return found;
  return directory.create_institution(system, {kReferenceVendor, "medai reference apps"});
}

Status ensure_key(packages::AppCatalog& catalog, const packages::SigningKey& key, const std::string& institution_id) {
  const access::Principal system = access::system_principal();
  MEDAI_ASSIGN_OR_RETURN(auto keys, catalog.list_vendor_keys(system));
  for (const auto& k : keys)
    if (k.key_id == key.key_id) return Status::ok();
  return catalog
      .register_vendor_key(system, packages::base64_encode(key.public_key), "reference apps release key",
                           institution_id)
      .status();
}

// Which synthetic study shows an app at work.
std::string demo_kind(const json& manifest) {
  const json modality = manifest.value("modality", json::array());
  auto has = [&](const char* m) { return std::find(modality.begin(), modality.end(), m) != modality.end(); };
  if (has("MG")) return "mammo";
  if (has("CT")) return manifest.value("task", std::string()) == "segmentation" ? "rt" : "chest-ct";
  return "";
}

}  // namespace

Result<std::vector<ReferenceAppInstall>> install_reference_apps(access::Directory& directory,
                                                                packages::AppCatalog& catalog,
                                                                const fs::path& folder,
                                                                const std::string& approve_for_institution_id) {
  std::vector<ReferenceAppInstall> out;
  const fs::path key_file = folder / "medai-reference.pub.json";
  std::error_code ec;
  if (!fs::exists(key_file, ec)) return out;
  MEDAI_ASSIGN_OR_RETURN(std::string key_text, read_file(key_file));
  MEDAI_ASSIGN_OR_RETURN(packages::SigningKey key, packages::parse_key_json(key_text));
  MEDAI_ASSIGN_OR_RETURN(access::Institution vendor, vendor_institution(directory));
  MEDAI_RETURN_IF_ERROR(ensure_key(catalog, key, vendor.id));

  std::vector<fs::path> packages_found;
  for (const auto& app_dir : fs::directory_iterator(folder, ec)) {
    if (!app_dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(app_dir.path(), ec))
      if (f.is_regular_file() && f.path().extension() == ".medai") packages_found.push_back(f.path());
  }
  std::sort(packages_found.begin(), packages_found.end());

  access::Principal publisher;  // the vendor's release process
  publisher.user_id = "system:reference-apps";
  publisher.username = "reference-apps";
  publisher.institution_id = vendor.id;
  publisher.roles = {access::Role::partner};
  const access::Principal admin = access::system_principal();
  for (const auto& file : packages_found) {
    ReferenceAppInstall r;
    r.file = file.filename().string();
    auto bytes = read_file(file);
    if (!bytes) {
      r.outcome = "failed";
      r.detail = "io_error: cannot read the package";
      out.push_back(r);
      continue;
    }
    auto published = catalog.publish(publisher, *bytes);
    if (published) {
      r.name = published->app_name;
      r.version = published->version;
      r.outcome = "installed";
    } else if (published.status().code() == ErrorCode::conflict) {
      // Already published (an earlier start): read name and version from the package.
      auto files = packages::read_package_archive(*bytes, catalog.limits());
      json m = files && files->count("manifest.json") ? json::parse(files->at("manifest.json"), nullptr, false) : json();
      r.name = m.is_object() ? m.value("name", "") : "";
      r.version = m.is_object() ? m.value("version", "") : "";
      r.outcome = "present";
    } else {
      r.outcome = "failed";
      r.detail = std::string(error_code_name(published.status().code())) + ": " + published.status().message();
      out.push_back(r);
      continue;
    }
    if (!r.name.empty()) {
      if (auto v = catalog.set_visibility(admin, r.name, true, {}); !v) {
        r.outcome = "failed";
        r.detail = std::string(error_code_name(v.status().code())) + ": " + v.status().message();
      } else if (Status s = catalog.approve(admin, r.name, r.version, approve_for_institution_id); !s) {
        if (s.code() != ErrorCode::conflict) {  // already approved is fine
          r.outcome = "failed";
          r.detail = std::string(error_code_name(s.code())) + ": " + s.message();
        }
      }
    }
    out.push_back(r);
  }
  return out;
}

Result<std::vector<DemoRun>> queue_demo_runs(packages::AppCatalog& catalog, dicom::InstanceStore& store,
                                             jobs::JobEngine& jobs, const std::vector<ReferenceAppInstall>& installed,
                                             const std::string& institution_id, const fs::path& state_dir) {
  std::vector<DemoRun> out;
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  for (const auto& app : installed) {
    if (app.outcome == "failed" || app.name.empty()) continue;
    const fs::path marker = state_dir / (app.name + "@" + app.version + ".queued");
    if (fs::exists(marker, ec)) continue;
    auto runnable = catalog.resolve_runnable(institution_id, app.name, app.version);
    if (!runnable) continue;  // not approved here
    const std::string kind = demo_kind(runnable->manifest);
    if (kind.empty()) continue;  // tabular apps are called directly

    const fs::path study_dir = state_dir / (app.name + "-study");
    fs::remove_all(study_dir, ec);
    synth::StudyOptions options;
    options.min_nodules = kind == "chest-ct" ? 2 : 0;
    options.force_lesion = kind == "mammo";
    MEDAI_ASSIGN_OR_RETURN(json truth, synth::write_study(kind, 20261127, 1, options, study_dir));
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(study_dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".dcm") files.push_back(e.path());
    std::vector<dicom::IngestItem> items;
    for (const auto& f : files) items.push_back({{}, f});
    const auto stored = store.ingest_batch(items, {.institution_id = institution_id, .user_id = "system:demo",
                                                   .calling_ae = "", .protocol = "upload"});
    for (const auto& s : stored)
      if (!s.ok()) return s.error;
    // The image series: chest CT and planning CT under "ct", the mammogram's views at the top.
    std::string series_uid = truth.value("ct", json::object()).value("series_instance_uid", "");
    if (series_uid.empty()) series_uid = truth.value("series_instance_uid", "");
    if (series_uid.empty())
      for (const auto& v : truth.value("views", json::array()))
        if (v.contains("series_instance_uid")) series_uid = v["series_instance_uid"];
    const std::string study_uid = truth.value("study_instance_uid", "");
    fs::remove_all(study_dir, ec);
    if (series_uid.empty() || study_uid.empty()) continue;

    jobs::JobRequest request;
    request.type = "app.run";
    request.institution_id = institution_id;
    request.created_by = "system:demo";
    request.idempotency_key = "demo:" + app.name + "@" + app.version;
    request.input = {{"app", app.name}, {"version", app.version}, {"study_uid", study_uid},
                     {"series_uid", series_uid}};
    MEDAI_ASSIGN_OR_RETURN(jobs::EnqueueResult queued, jobs.enqueue(std::move(request)));
    MEDAI_RETURN_IF_ERROR(write_file(marker, queued.job.id + "\n"));
    out.push_back({app.name, app.version, study_uid, queued.job.id});
  }
  return out;
}

}  // namespace medai::apps

// The app catalog on a real SQLite catalog and blob folder: keys, publish
// (and that refusals leave nothing behind), visibility, approvals, status,
// and resolve_runnable for the job engine.
#include "packages/app_catalog.h"

#include <gtest/gtest.h>

#include "../access/access_fixture.h"
#include "package_fixtures.h"
#include "packages/app_usage.h"
#include "packages/signing.h"

namespace medai::packages {
namespace {

using access::Role;
using nlohmann::json;
using testing::manifest_with_files;
using testing::signed_files;
using testing::signed_package;

class AppCatalogTest : public access::AccessFixture {
 protected:
  void SetUp() override {
    AccessFixture::SetUp();
    blobs_ = std::make_unique<storage::BlobStore>(storage::BlobStore::open(dir_ / "blobs").value());
    acme_ = directory_->create_institution(access::system_principal(), {"acme", "Acme AI"}).value();
    globex_ = directory_->create_institution(access::system_principal(), {"globex", "Globex"}).value();
    partner_ = make_user(acme_, "acme-dev", {Role::partner});
    globex_partner_ = make_user(globex_, "globex-dev", {Role::partner});
    AppCatalogOptions options;
    options.work_dir = dir_ / "work";
    options.check_run = [this](const VerifiedPackage& p, const std::filesystem::path& dir) -> Status {
      ++check_runs_;
      last_check_dir_ = dir;
      if (!std::filesystem::is_regular_file(dir / p.manifest.artifact))
        return make_error(ErrorCode::internal, "artifact not unpacked");
      return check_result_;
    };
    apps_ = std::make_unique<AppCatalog>(*catalog_, *blobs_, options);
    ASSERT_TRUE(apps_->register_vendor_key(as(partner_), base64_encode(key_.public_key), "release"));
  }

  std::string package(const std::string& version = "1.2.0", json m = manifest_with_files()) {
    m["version"] = version;
    return signed_package(key_, m);
  }

  std::int64_t count(const std::string& table) {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    return tx->query_one("SELECT COUNT(*) AS n FROM " + table).value()->get_int("n");
  }
  std::size_t blob_count() {
    std::size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_ / "blobs"))
      if (e.is_regular_file()) ++n;  // temp files too: nothing may be left
    return n;
  }
  std::size_t work_entries() {
    if (!std::filesystem::exists(dir_ / "work")) return 0;
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir_ / "work"), {}));
  }
  struct Snapshot {
    std::int64_t apps, versions;
    std::size_t blobs, work;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot snapshot() { return {count("apps"), count("app_versions"), blob_count(), work_entries()}; }

  void expect_refused_and_nothing_left(std::string_view bytes, ErrorCode code) {
    const Snapshot before = snapshot();
    auto r = apps_->publish(as(partner_), bytes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), code) << r.status().to_string();
    EXPECT_EQ(snapshot(), before);
  }

  SigningKey key_ = generate_signing_key();
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<AppCatalog> apps_;
  access::Institution acme_, globex_;
  access::User partner_, globex_partner_;
  int check_runs_ = 0;
  Status check_result_;
  std::filesystem::path last_check_dir_;
};

TEST_F(AppCatalogTest, PublishStoresVersionBlobAndAudit) {
  const std::string bytes = package();
  auto v = apps_->publish(as(partner_), bytes);
  ASSERT_TRUE(v) << v.status().to_string();
  EXPECT_EQ(v->app_name, "lung-nodule-screening");
  EXPECT_EQ(v->version, "1.2.0");
  EXPECT_EQ(v->status, VersionStatus::active);
  EXPECT_EQ(v->key_id, key_.key_id);
  EXPECT_EQ(blobs_->read(v->package_sha256).value(), bytes);
  EXPECT_EQ(check_runs_, 1);
  EXPECT_FALSE(std::filesystem::exists(last_check_dir_)) << "check-run folder must be removed";
  EXPECT_EQ(work_entries(), 0u);

  auto app = apps_->get_app(as(partner_), "lung-nodule-screening");
  ASSERT_TRUE(app);
  EXPECT_EQ(app->vendor, "acme");
  ASSERT_EQ(app->versions.size(), 1u);
  EXPECT_EQ(app->versions[0].digest, v->digest);
  EXPECT_EQ(count("audit_events WHERE action = 'app.publish' AND outcome = 'allowed'"), 1);
}

TEST_F(AppCatalogTest, RefusedPackagesLeaveNothingBehind) {
  PackageFiles tampered = signed_files(key_);
  tampered["model/model.pt"] = "changed";
  expect_refused_and_nothing_left(write_package_archive(tampered).value(), ErrorCode::package_tampered);

  PackageFiles unsigned_files = signed_files(key_);
  unsigned_files.erase("manifest.sig");
  expect_refused_and_nothing_left(write_package_archive(unsigned_files).value(), ErrorCode::package_unsigned);

  expect_refused_and_nothing_left(signed_package(generate_signing_key()), ErrorCode::unknown_signing_key);
  expect_refused_and_nothing_left("not a zip", ErrorCode::invalid_package);

  check_result_ = make_error(ErrorCode::internal, "model failed to load");
  expect_refused_and_nothing_left(package(), ErrorCode::app_check_failed);
  EXPECT_EQ(check_runs_, 1);
  EXPECT_EQ(count("audit_events WHERE action = 'app.publish' AND outcome = 'failed'"), 5);
}

TEST_F(AppCatalogTest, OversizedPackageIsRefused) {
  AppCatalogOptions small;
  small.work_dir = dir_ / "work";
  small.limits.max_package_bytes = 512;
  small.check_run = [](const VerifiedPackage&, const std::filesystem::path&) { return Status::ok(); };
  AppCatalog limited(*catalog_, *blobs_, small);
  const Snapshot before = snapshot();
  auto r = limited.publish(as(partner_), package());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::package_too_large);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(AppCatalogTest, VersionsAreImmutable) {
  ASSERT_TRUE(apps_->publish(as(partner_), package("1.0.0")));
  const Snapshot before = snapshot();
  // Same version, different content (another display name): conflict, blob not kept.
  json m = manifest_with_files();
  m["display_name"] = "Changed";
  expect_refused_and_nothing_left(package("1.0.0", m), ErrorCode::conflict);
  EXPECT_EQ(snapshot(), before);
  EXPECT_TRUE(apps_->publish(as(partner_), package("1.1.0")));
}

TEST_F(AppCatalogTest, OnlyPartnersPublishForTheirOwnVendor) {
  auto doctor = apps_->publish(as(doctor_a_), package());
  EXPECT_EQ(doctor.status().code(), ErrorCode::forbidden);
  // Globex signs acme's manifest with its own key: its key is not acme's, and the vendor is wrong.
  const SigningKey globex_key = generate_signing_key();
  ASSERT_TRUE(apps_->register_vendor_key(as(globex_partner_), base64_encode(globex_key.public_key), "k"));
  auto wrong_vendor = apps_->publish(as(globex_partner_), signed_package(globex_key));
  ASSERT_FALSE(wrong_vendor);
  EXPECT_EQ(wrong_vendor.status().code(), ErrorCode::invalid_manifest);
  // Globex cannot take over acme's app name either.
  ASSERT_TRUE(apps_->publish(as(partner_), package()));
  json m = manifest_with_files();
  m["vendor"] = "globex";
  m["version"] = "9.0.0";
  auto takeover = apps_->publish(as(globex_partner_), signed_package(globex_key, m));
  ASSERT_FALSE(takeover);
  EXPECT_EQ(takeover.status().code(), ErrorCode::conflict);
}

TEST_F(AppCatalogTest, RevokedKeySignsNothingNew) {
  ASSERT_TRUE(apps_->publish(as(partner_), package("1.0.0")));
  ASSERT_TRUE(apps_->revoke_vendor_key(as(partner_), key_.key_id));
  expect_refused_and_nothing_left(package("1.1.0"), ErrorCode::unknown_signing_key);
  // The published version stays.
  EXPECT_TRUE(apps_->get_version(as(partner_), "lung-nodule-screening", "1.0.0"));
  EXPECT_EQ(apps_->revoke_vendor_key(as(partner_), key_.key_id).code(), ErrorCode::conflict);
}

TEST_F(AppCatalogTest, VendorKeysAreScopedToTheVendor) {
  EXPECT_EQ(apps_->register_vendor_key(as(doctor_a_), base64_encode(key_.public_key), "x").status().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(apps_->register_vendor_key(as(partner_), base64_encode(key_.public_key), "again").status().code(),
            ErrorCode::already_exists);
  EXPECT_EQ(apps_->register_vendor_key(as(partner_), "AAAA", "short").status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(apps_->register_vendor_key(as(partner_), base64_encode(generate_signing_key().public_key), "x", globex_.id)
                .status()
                .code(),
            ErrorCode::forbidden);
  EXPECT_EQ(apps_->list_vendor_keys(as(partner_)).value().size(), 1u);
  EXPECT_TRUE(apps_->list_vendor_keys(as(globex_partner_)).value().empty());
  EXPECT_EQ(apps_->revoke_vendor_key(as(globex_partner_), key_.key_id).code(), ErrorCode::not_found);
  EXPECT_EQ(apps_->list_vendor_keys(as(admin_)).value().size(), 1u);
}

TEST_F(AppCatalogTest, InstitutionsSeeOnlyAppsSharedWithThem) {
  ASSERT_TRUE(apps_->publish(as(partner_), package()));
  EXPECT_TRUE(apps_->list_apps(as(doctor_b_)).value().empty());
  EXPECT_EQ(apps_->get_app(as(doctor_b_), "lung-nodule-screening").status().code(), ErrorCode::not_found);
  EXPECT_EQ(apps_->list_apps(as(admin_)).value().size(), 1u);

  // Only the vendor (or admin) changes visibility.
  EXPECT_FALSE(apps_->set_visibility(as(globex_partner_), "lung-nodule-screening", true, {}));
  ASSERT_TRUE(apps_->set_visibility(as(partner_), "lung-nodule-screening", false, {"hospital-b"}));
  EXPECT_EQ(apps_->list_apps(as(doctor_b_)).value().size(), 1u);
  EXPECT_TRUE(apps_->list_apps(as(doctor_a_)).value().empty());
  EXPECT_EQ(apps_->get_app(as(partner_), "lung-nodule-screening")->shared_with, std::vector<std::string>{inst_b_.id});
  EXPECT_TRUE(apps_->get_app(as(doctor_b_), "lung-nodule-screening")->shared_with.empty());

  ASSERT_TRUE(apps_->set_visibility(as(partner_), "lung-nodule-screening", true, {}));
  EXPECT_EQ(apps_->list_apps(as(doctor_a_)).value().size(), 1u);
  EXPECT_EQ(apps_->set_visibility(as(partner_), "lung-nodule-screening", false, {"nowhere"}).status().code(),
            ErrorCode::not_found);
}

TEST_F(AppCatalogTest, ApprovalGatesRunning) {
  ASSERT_TRUE(apps_->publish(as(partner_), package("1.0.0")));
  ASSERT_TRUE(apps_->publish(as(partner_), package("1.10.0")));
  ASSERT_TRUE(apps_->publish(as(partner_), package("1.9.0")));
  const std::string app = "lung-nodule-screening";

  // Not shared with B: B's admin cannot approve, B cannot run.
  EXPECT_EQ(apps_->approve(as(admin_b_), app, "1.0.0").code(), ErrorCode::not_found);
  EXPECT_EQ(apps_->resolve_runnable(inst_b_.id, app).status().code(), ErrorCode::not_found);

  ASSERT_TRUE(apps_->set_visibility(as(partner_), app, false, {inst_b_.id}));
  EXPECT_EQ(apps_->resolve_runnable(inst_b_.id, app).status().code(), ErrorCode::forbidden);
  EXPECT_EQ(apps_->approve(as(doctor_b_), app, "1.0.0").code(), ErrorCode::forbidden);
  EXPECT_EQ(apps_->approve(as(admin_a_), app, "1.0.0", inst_b_.id).code(), ErrorCode::forbidden);
  EXPECT_EQ(apps_->approve(as(admin_b_), app, "7.0.0").code(), ErrorCode::not_found);

  ASSERT_TRUE(apps_->approve(as(admin_b_), app, "1.0.0"));
  ASSERT_TRUE(apps_->approve(as(admin_b_), app, "1.9.0"));
  auto latest = apps_->resolve_runnable(inst_b_.id, app);
  ASSERT_TRUE(latest) << latest.status().to_string();
  EXPECT_EQ(latest->version, "1.9.0");  // highest approved; 1.10.0 is not approved
  EXPECT_EQ(latest->vendor, "acme");
  EXPECT_EQ(apps_->read_package(*latest).value(), package("1.9.0"));
  EXPECT_EQ(apps_->resolve_runnable(inst_b_.id, app, "1.10.0").status().code(), ErrorCode::forbidden);
  EXPECT_TRUE(apps_->get_version(as(doctor_b_), app, "1.9.0")->approved);
  EXPECT_FALSE(apps_->get_version(as(doctor_b_), app, "1.10.0")->approved);

  // Withdrawn versions stop running; latest falls back.
  EXPECT_EQ(apps_->set_version_status(as(admin_b_), app, "1.9.0", VersionStatus::withdrawn, "x").status().code(),
            ErrorCode::forbidden);
  ASSERT_TRUE(apps_->set_version_status(as(partner_), app, "1.9.0", VersionStatus::withdrawn, "false positives"));
  EXPECT_EQ(apps_->resolve_runnable(inst_b_.id, app, "1.9.0").status().code(), ErrorCode::forbidden);
  EXPECT_EQ(apps_->resolve_runnable(inst_b_.id, app)->version, "1.0.0");
  EXPECT_EQ(apps_->approve(as(admin_b_), app, "1.9.0").code(), ErrorCode::conflict);
  EXPECT_EQ(apps_->set_version_status(as(partner_), app, "1.9.0", VersionStatus::active, "").status().code(),
            ErrorCode::conflict);

  // Deprecated still runs; revoked approval does not.
  ASSERT_TRUE(apps_->set_version_status(as(partner_), app, "1.0.0", VersionStatus::deprecated, "use 1.10"));
  EXPECT_TRUE(apps_->resolve_runnable(inst_b_.id, app, "1.0.0"));
  ASSERT_TRUE(apps_->revoke_approval(as(admin_b_), app, "1.0.0"));
  EXPECT_EQ(apps_->resolve_runnable(inst_b_.id, app).status().code(), ErrorCode::forbidden);
  EXPECT_EQ(apps_->revoke_approval(as(admin_b_), app, "1.0.0").code(), ErrorCode::not_found);
  ASSERT_TRUE(apps_->approve(as(admin_b_), app, "1.0.0"));  // approving again works
  EXPECT_TRUE(apps_->resolve_runnable(inst_b_.id, app));
}

TEST_F(AppCatalogTest, VersionsAreListedBySemverPrecedence) {
  for (const char* v : {"1.0.0", "2.0.0-rc.1", "1.10.0", "2.0.0", "1.2.0"}) ASSERT_TRUE(apps_->publish(as(partner_), package(v)));
  auto app = apps_->get_app(as(partner_), "lung-nodule-screening").value();
  std::vector<std::string> order;
  for (const auto& v : app.versions) order.push_back(v.version);
  EXPECT_EQ(order, (std::vector<std::string>{"2.0.0", "2.0.0-rc.1", "1.10.0", "1.2.0", "1.0.0"}));
}

TEST_F(AppCatalogTest, FeedbackAndUsageAreCountedPerVersionInstitutionAndDay) {
  const std::string app = "lung-nodule-screening";
  ASSERT_TRUE(apps_->publish(as(partner_), package("1.0.0")));
  ASSERT_TRUE(apps_->set_visibility(as(partner_), app, false, {inst_a_.id, inst_b_.id}));
  ASSERT_TRUE(apps_->approve(as(admin_a_), app, "1.0.0"));
  AppUsage usage(*catalog_);
  const std::int64_t day1 = 1795000000000;  // 2026-11-18 11:06 UTC
  const std::int64_t day2 = day1 + 86400000;
  ASSERT_TRUE(usage.record_job_usage("job-1", app, "1.0.0", inst_a_.id, 1500, day1));
  ASSERT_TRUE(usage.record_job_usage("job-2", app, "1.0.0", inst_a_.id, 500, day1));
  ASSERT_TRUE(usage.record_job_usage("job-3", app, "1.0.0", inst_a_.id, 700, day2));
  // The same job run again (retry after a crash) is counted once.
  ASSERT_TRUE(usage.record_job_usage("job-3", app, "1.0.0", inst_a_.id, 900, day2));
  EXPECT_EQ(usage.record_job_usage("job-4", "no-such-app", "1.0.0", inst_a_.id, 1, day1).code(), ErrorCode::not_found);

  const FeedbackInput accept{app, "1.0.0", "job1", "f1", Verdict::accept, nullptr};
  ASSERT_TRUE(usage.record_feedback(as(doctor_a_), accept));
  ASSERT_TRUE(usage.record_feedback(as(doctor_a_), {app, "1.0.0", "job1", "f2", Verdict::reject, nullptr}));
  // Changing one's mind replaces the verdict instead of counting twice.
  ASSERT_TRUE(usage.record_feedback(as(doctor_a_), {app, "1.0.0", "job1", "f2", Verdict::edit, json{{"diameter_mm", 7}}}));
  // Refusals: not approved at B, not a clinician, edit without an object.
  EXPECT_EQ(usage.record_feedback(as(doctor_b_), accept).code(), ErrorCode::not_found);
  EXPECT_EQ(usage.record_feedback(as(partner_), accept).code(), ErrorCode::forbidden);
  EXPECT_EQ(usage.record_feedback(as(doctor_a_), {app, "1.0.0", "job1", "f3", Verdict::edit, nullptr}).code(),
            ErrorCode::invalid_argument);

  auto rows = usage.usage(as(partner_), app);
  ASSERT_TRUE(rows) << rows.status().to_string();
  std::int64_t jobs = 0, compute = 0, accepted = 0, rejected = 0, edited = 0;
  for (const auto& r : *rows) {
    EXPECT_EQ(r.institution_id, inst_a_.id);
    jobs += r.jobs;
    compute += r.compute_ms;
    accepted += r.accepted;
    rejected += r.rejected;
    edited += r.edited;
  }
  EXPECT_EQ(jobs, 3);
  EXPECT_EQ(compute, 2700);
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(rejected, 0);
  EXPECT_EQ(edited, 1);
  auto first_day = usage.usage(as(partner_), app, "2026-11-18", "2026-11-18").value();
  ASSERT_EQ(first_day.size(), 1u);
  EXPECT_EQ(first_day[0].day, "2026-11-18");
  EXPECT_EQ(first_day[0].jobs, 2);
  EXPECT_EQ(first_day[0].compute_ms, 2000);

  // Tenancy: only the vendor and platform admins read usage.
  EXPECT_EQ(usage.usage(as(globex_partner_), app).status().code(), ErrorCode::not_found);
  EXPECT_EQ(usage.usage(as(admin_a_), app).status().code(), ErrorCode::not_found);
  EXPECT_TRUE(usage.usage(as(admin_), app));
  EXPECT_EQ(usage.usage(as(partner_), app, "18-11-2026").status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::packages

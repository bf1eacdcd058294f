// App packages end to end over the real server and CLI: keygen -> pack ->
// sign -> verify -> register key -> publish -> share -> approve -> list;
// tenancy (an institution does not see an app not shared with it); and
// tampered / unsigned / oversized uploads refused with nothing left behind
// (rows and blobs counted before and after).
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "packages/package_archive.h"
#include "packages/signing.h"
#include "runtime/torchscript_builder.h"
#include "server_process.h"
#include "storage/catalog.h"

namespace medai::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::int64_t kMaxPackageBytes = 64 << 10;  // the server's apps.max_package_bytes here

json manifest() {
  return json::parse(R"json({
    "schema_version": 1, "name": "tiny-classifier", "vendor": "acme", "version": "1.0.0",
    "display_name": "Tiny classifier (test)", "task": "classification", "modality": ["CT"], "body_part": ["CHEST"],
    "intended_use": "Integration test only.", "contraindications": [], "research_use_only": true,
    "synthetic_training_data": true, "training_data": {"summary": "none"}, "validation": {"metrics": []},
    "licence": "Apache-2.0", "model": {"runtime": "torchscript", "artifact": "model/model.pt", "threads": 1},
    "input": {"kind": "volume", "spacing_mm": [1, 1, 1], "channels": 1, "patch_size": [8, 8, 8]},
    "output": {"labels": [{"value": 1, "name": "Finding"}], "units": "probability"},
    "pipeline": {"pre": [{"op": "window", "center": 40, "width": 400}], "post": [{"op": "threshold", "value": 0.5}]},
    "writers": ["json"], "files": {}
  })json");
}

// A real TorchScript model (the publish check loads and runs it).
std::string tiny_model() {
  static const std::string bytes = [] {
    TempDir dir;
    const auto path = dir.path() / "model.pt";
    EXPECT_TRUE(runtime::save_torchscript_module(path, "def forward(self, x):\n    return torch.sigmoid(x)\n", {})
                    .is_ok());
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  return bytes;
}

class AppPublishTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var", {{"MEDAI_APPS_MAX_PACKAGE_BYTES", std::to_string(kMaxPackageBytes)}});
    ASSERT_TRUE(server_->running()) << server_->log_text();
    create_institutions_and_users(*dir_ / "var", {"acme", "hosp-a", "hosp-b"},
                                  {{"acme-dev", "acme", "partner"},
                                   {"admin-a", "hosp-a", "institution_admin"},
                                   {"doc-a", "hosp-a", "doctor"},
                                   {"doc-b", "hosp-b", "doctor"}},
                                  dir_->path());
    partner_ = token_for("acme-dev");
    admin_a_ = token_for("admin-a");
    doc_a_ = token_for("doc-a");
    doc_b_ = token_for("doc-b");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string token_for(const std::string& user) { return issue_token(*dir_ / "var", user, dir_->path()); }
  static std::vector<std::string> with_server(std::vector<std::string> args, const std::string& token) {
    args.insert(args.end(), {"--server", "http://127.0.0.1:" + std::to_string(server_->port()), "--token", token});
    return args;
  }
  static CommandResult medai(const std::vector<std::string>& args) { return run_medai(args, dir_->path()); }

  // A package folder with the manifest, a tiny (non-torch) artifact and a test input.
  static fs::path make_folder(const std::string& name, const json& m) {
    const fs::path folder = dir_->path() / name;
    fs::create_directories(folder / "model");
    fs::create_directories(folder / "test");
    std::ofstream(folder / "manifest.json") << m.dump(2);
    std::ofstream(folder / "model" / "model.pt", std::ios::binary) << tiny_model();
    // The check run's input: one KServe v2 tensor of the declared shape.
    json input = {{"name", "input"}, {"datatype", "FP32"}, {"shape", {1, 1, 8, 8, 8}},
                  {"data", std::vector<float>(512, 0.25f)}};
    std::ofstream(folder / "test" / "input.json") << json{{"inputs", {input}}}.dump();
    return folder;
  }

  // Rows of the app tables and files of the blob store, to prove a refusal left nothing.
  struct Counts {
    std::int64_t apps = 0, versions = 0;
    std::size_t blobs = 0;
    bool operator==(const Counts&) const = default;
  };
  static Counts counts() {
    Counts c;
    auto catalog = storage::open_sqlite_catalog(
        {.path = *dir_ / "var" / "catalog.sqlite", .migrate_on_open = false});
    EXPECT_TRUE(catalog) << catalog.status().to_string();
    auto tx = (*catalog)->begin(storage::TxMode::read_only).value();
    c.apps = tx->query_one("SELECT COUNT(*) AS n FROM apps").value()->get_int("n");
    c.versions = tx->query_one("SELECT COUNT(*) AS n FROM app_versions").value()->get_int("n");
    for (auto& e : fs::recursive_directory_iterator(*dir_ / "var" / "blobs"))
      if (e.is_regular_file()) ++c.blobs;
    std::error_code ec;
    if (fs::exists(*dir_ / "var" / "work" / "apps")) {
      EXPECT_TRUE(fs::is_empty(*dir_ / "var" / "work" / "apps", ec)) << "check-run folders left behind";
    }
    return c;
  }

  static std::optional<http::testing::RawResponse> upload(const std::string& body, const std::string& token,
                                                         const std::string& type = "application/zip") {
    return http::testing::fetch(server_->port(), "POST", "/api/v1/apps",
                                "Authorization: Bearer " + token + "\r\nContent-Type: " + type + "\r\n", body,
                                std::chrono::seconds(60));
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string partner_, admin_a_, doc_a_, doc_b_;
};
TempDir* AppPublishTest::dir_ = nullptr;
ServerProcess* AppPublishTest::server_ = nullptr;
std::string AppPublishTest::partner_, AppPublishTest::admin_a_, AppPublishTest::doc_a_, AppPublishTest::doc_b_;

TEST_F(AppPublishTest, KeygenPackSignVerifyPublishApproveList) {
  const std::string prefix = (dir_->path() / "acme").string();
  auto keygen = medai({"app", "keygen", "--out", prefix});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  EXPECT_EQ(fs::status(prefix + ".key.json").permissions() & fs::perms::others_read, fs::perms::none);

  const fs::path folder = make_folder("tiny", manifest());
  const std::string pkg = (dir_->path() / "tiny.medai").string();
  auto pack = medai({"app", "pack", folder.string(), "-o", pkg});
  ASSERT_EQ(pack.exit_code, 0) << pack.err;
  // Unsigned: verify refuses with the stable code.
  auto unsigned_verify = medai({"app", "verify", pkg, "--public-key", prefix + ".pub.json"});
  EXPECT_NE(unsigned_verify.exit_code, 0);
  EXPECT_NE(unsigned_verify.err.find("package_unsigned"), std::string::npos) << unsigned_verify.err;

  auto sign = medai({"app", "sign", pkg, "--key", prefix + ".key.json"});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  auto verify = medai({"app", "verify", pkg, "--public-key", prefix + ".pub.json", "--vendor", "acme"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  const json verified = json::parse(verify.out);
  EXPECT_EQ(verified["name"], "tiny-classifier");
  EXPECT_EQ(verified["files"], 2);

  // Publishing before the key is registered: unknown_signing_key.
  auto early = medai(with_server({"app", "publish", pkg}, partner_));
  EXPECT_NE(early.err.find("unknown_signing_key"), std::string::npos) << early.err;

  ASSERT_EQ(medai(with_server({"app", "register-key", "--public-key", prefix + ".pub.json", "--name", "release"},
                              partner_))
                .exit_code,
            0);
  auto publish = medai(with_server({"app", "publish", pkg}, partner_));
  ASSERT_EQ(publish.exit_code, 0) << publish.err;
  const json published = json::parse(publish.out);
  EXPECT_EQ(published["version"], "1.0.0");
  EXPECT_EQ(published["digest"].get<std::string>().rfind("sha256:", 0), 0u);
  EXPECT_EQ(published["status"], "active");

  // Same version again: immutable.
  auto again = medai(with_server({"app", "publish", pkg}, partner_));
  EXPECT_NE(again.err.find("[conflict]"), std::string::npos) << again.err;

  // Not shared yet: neither hospital sees it.
  Api a{server_->port(), doc_a_}, b{server_->port(), doc_b_}, vendor{server_->port(), partner_};
  EXPECT_TRUE(a.json("GET", "/api/v1/apps")["items"].empty());
  int status = 0;
  a.json("GET", "/api/v1/apps/tiny-classifier", nullptr, &status);
  EXPECT_EQ(status, 404);

  json shared = vendor.json("PUT", "/api/v1/apps/tiny-classifier/visibility",
                            {{"public", false}, {"institutions", {"hosp-a"}}}, &status);
  ASSERT_EQ(status, 200) << shared.dump();

  // A doctor cannot approve; the institution admin can (with the CLI).
  a.json("POST", "/api/v1/apps/tiny-classifier/versions/1.0.0/approve", json::object(), &status);
  EXPECT_EQ(status, 403);
  auto approve = medai(with_server({"app", "approve", "tiny-classifier", "1.0.0"}, admin_a_));
  ASSERT_EQ(approve.exit_code, 0) << approve.err;

  auto list = medai(with_server({"app", "list"}, doc_a_));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const json items = json::parse(list.out)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["name"], "tiny-classifier");
  EXPECT_EQ(items[0]["vendor"], "acme");
  EXPECT_EQ(items[0]["versions"][0]["approved"], true);
  EXPECT_EQ(items[0]["versions"][0]["digest"], published["digest"]);

  // Institution B: not shared with it, so invisible and not approvable.
  EXPECT_TRUE(b.json("GET", "/api/v1/apps")["items"].empty());
  b.json("GET", "/api/v1/apps/tiny-classifier/versions/1.0.0", nullptr, &status);
  EXPECT_EQ(status, 404);

  auto show = medai(with_server({"app", "show", "tiny-classifier", "1.0.0"}, doc_a_));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(json::parse(show.out)["manifest"]["name"], "tiny-classifier");

  // Withdraw by the vendor; a doctor may not.
  a.json("POST", "/api/v1/apps/tiny-classifier/versions/1.0.0/withdraw", json::object(), &status);
  EXPECT_EQ(status, 403);
  json withdrawn = vendor.json("POST", "/api/v1/apps/tiny-classifier/versions/1.0.0/withdraw",
                               {{"reason", "integration test"}}, &status);
  ASSERT_EQ(status, 200) << withdrawn.dump();
  EXPECT_EQ(withdrawn["status"], "withdrawn");

  // The schema is public.
  auto schema = http::testing::fetch(server_->port(), "GET", "/api/v1/apps/manifest-schema");
  ASSERT_TRUE(schema && schema->status == 200);
  EXPECT_TRUE(json::parse(schema->body)["properties"].contains("pipeline"));
}

TEST_F(AppPublishTest, BadUploadsAreRefusedAndLeaveNothing) {
  // A registered key of acme, made in-process.
  const packages::SigningKey key = packages::generate_signing_key();
  Api vendor{server_->port(), partner_};
  int status = 0;
  vendor.json("POST", "/api/v1/vendor-keys", {{"public_key", packages::base64_encode(key.public_key)}, {"name", "k2"}},
              &status);
  ASSERT_EQ(status, 201);

  json m = manifest();
  m["name"] = "refusal-probe";
  const std::string artifact = tiny_model();
  m["files"] = {{"model/model.pt", "sha256:" + crypto::sha256_hex(artifact)}};
  packages::PackageFiles files = {{"manifest.json", m.dump()}, {"model/model.pt", artifact}};
  files["manifest.sig"] = packages::sign_manifest(files["manifest.json"], key);

  const Counts before = counts();
  auto expect_refused = [&](const std::string& body, int http_status, const std::string& code,
                            const std::string& token = partner_) {
    auto r = upload(body, token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, http_status) << code << ": " << r->body;
    EXPECT_EQ(json::parse(r->body, nullptr, false).value("error", ""), code) << r->body;
    EXPECT_EQ(counts(), before) << code;
  };

  packages::PackageFiles tampered = files;
  tampered["model/model.pt"] = "other bytes";
  expect_refused(packages::write_package_archive(tampered).value(), 422, "package_tampered");

  packages::PackageFiles unsigned_files = files;
  unsigned_files.erase("manifest.sig");
  expect_refused(packages::write_package_archive(unsigned_files).value(), 422, "package_unsigned");

  packages::PackageFiles forged = files;
  json changed = m;
  changed["version"] = "2.0.0";
  forged["manifest.json"] = changed.dump();
  expect_refused(packages::write_package_archive(forged).value(), 422, "package_signature_invalid");

  expect_refused(std::string(kMaxPackageBytes + 1, 'x'), 413, "payload_too_large");
  expect_refused("not a zip", 400, "invalid_package");
  expect_refused(packages::write_package_archive(files).value(), 403, "forbidden", doc_a_);
  auto wrong_type = upload(packages::write_package_archive(files).value(), partner_, "application/json");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 415);

  // Signed and intact, but the model does not load: the sandboxed check run refuses it.
  {
    json broken = m;
    const std::string garbage = "not a TorchScript archive";
    broken["files"] = {{"model/model.pt", "sha256:" + crypto::sha256_hex(garbage)}};
    packages::PackageFiles bad = {{"manifest.json", broken.dump()}, {"model/model.pt", garbage}};
    bad["manifest.sig"] = packages::sign_manifest(bad["manifest.json"], key);
    expect_refused(packages::write_package_archive(bad).value(), 422, "app_check_failed");
  }

  // The untouched package is accepted, proving the refusals were about the changes.
  auto ok = upload(packages::write_package_archive(files).value(), partner_);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  EXPECT_EQ(counts().versions, before.versions + 1);
}

}  // namespace
}  // namespace medai::testing

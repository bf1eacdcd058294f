// patch_package_manifest (a vendor adapts a generated manifest before signing)
// and read_unsigned_package (evaluating a build before it is signed).
#include <gtest/gtest.h>

#include "package_fixtures.h"
#include "packages/package_builder.h"
#include "packages/package_verifier.h"

namespace medai::packages {
namespace {

using nlohmann::json;
using testing::kArtifact;
using testing::signed_package;

TEST(ManifestOverlay, PatchesFieldsDropsTheSignatureAndKeepsTheFiles) {
  const SigningKey key = generate_signing_key();
  const json overlay = {{"display_name", "Lung nodules"}, {"writers", {"json", "seg"}}, {"training_data", {{"dataset", nullptr}}}};
  auto patched = patch_package_manifest(signed_package(key), overlay);
  ASSERT_TRUE(patched) << patched.status().to_string() << " " << patched.status().detail().dump();
  auto files = read_package_archive(*patched, {});
  ASSERT_TRUE(files);
  EXPECT_FALSE(files->count("manifest.sig"));  // a changed manifest needs a new signature
  EXPECT_EQ(files->at("model/model.pt"), kArtifact);
  const json m = json::parse(files->at("manifest.json"));
  EXPECT_EQ(m["display_name"], "Lung nodules");
  EXPECT_EQ(m["writers"], json({"json", "seg"}));  // arrays are replaced whole
  EXPECT_FALSE(m["training_data"].contains("dataset"));  // null removes (nested objects merge)
  // Unsigned: verify refuses it; read_unsigned_package reads it with every other check.
  EXPECT_EQ(verify_package(*patched, {{"", key.key_id, key.public_key}}, {}).status().code(),
            ErrorCode::package_unsigned);
  auto unsigned_package = read_unsigned_package(*patched, {});
  ASSERT_TRUE(unsigned_package) << unsigned_package.status().to_string();
  EXPECT_EQ(unsigned_package->manifest.document["display_name"], "Lung nodules");
  EXPECT_TRUE(unsigned_package->key_id.empty());
  // Signed again, it verifies.
  auto resigned = sign_package_archive(*patched, key);
  ASSERT_TRUE(resigned);
  EXPECT_TRUE(verify_package(*resigned, {{"", key.key_id, key.public_key}}, {}));
}

TEST(ManifestOverlay, RefusesAnInvalidResultAndAnyChangeOfFiles) {
  const std::string archive = signed_package(generate_signing_key());
  EXPECT_EQ(patch_package_manifest(archive, {{"version", "one"}}).status().code(), ErrorCode::invalid_manifest);
  EXPECT_EQ(patch_package_manifest(archive, {{"files", {{"x", "sha256:00"}}}}).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(patch_package_manifest(archive, json::array()).status().code(), ErrorCode::invalid_argument);
}

TEST(ManifestOverlay, UnsignedReadStillCatchesTamperedFiles) {
  PackageFiles files = testing::signed_files(generate_signing_key());
  files.erase("manifest.sig");
  files["model/model.pt"] = "other bytes";
  EXPECT_EQ(read_unsigned_package(write_package_archive(files).value(), {}).status().code(),
            ErrorCode::package_tampered);
}

}  // namespace
}  // namespace medai::packages

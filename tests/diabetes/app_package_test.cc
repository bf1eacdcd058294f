// The shipped manifest template is a valid tabular-advice manifest whose
// features are the risk model's, and the package layout the platform runs
// (rules listed in files) is recognised.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "diabetes/diabetes_app.h"
#include "packages/manifest.h"

namespace medai::diabetes {
namespace {

using nlohmann::json;

json shipped_manifest() {
  std::ifstream in(std::string(MEDAI_SOURCE_DIR) + "/apps/diabetes-advice/manifest.json");
  json m = json::parse(in);
  // What `medai app pack` fills in.
  m["files"] = {{"model/model.json", "sha256:" + std::string(64, '0')}, {kRulesPath, "sha256:" + std::string(64, '1')}};
  return m;
}

TEST(DiabetesPackage, ShippedManifestIsValidForTheReferenceVendor) {
  const json m = shipped_manifest();
  const auto problems = packages::check_manifest(m, "medai-reference");
  for (const auto& p : problems) ADD_FAILURE() << p.path << ": " << p.message;
  EXPECT_EQ(m["task"], "tabular-advice");
  EXPECT_EQ(m["model"]["runtime"], "xgboost");
  EXPECT_EQ(m["writers"], json({"json", "fhir"}));
  EXPECT_TRUE(is_rules_app(m));
  std::vector<std::string> features;
  for (const auto& f : m["input"]["features"]) features.push_back(f["name"]);
  EXPECT_EQ(features, RiskModel::supported_features());
  EXPECT_TRUE(RiskModel::create(features).is_ok());
}

TEST(DiabetesPackage, OnlyPackagesThatListTheirRulesAreRuleApps) {
  json m = shipped_manifest();
  m["files"].erase(kRulesPath);
  EXPECT_FALSE(is_rules_app(m));
  m = shipped_manifest();
  m["task"] = "classification";
  EXPECT_FALSE(is_rules_app(m));
  EXPECT_FALSE(RiskModel::create({"glu", "glucose"}).is_ok());
  EXPECT_FALSE(RiskModel::create({"glu", "glu"}).is_ok());
}

TEST(DiabetesPackage, AMissingOrBrokenRuleFileRefusesTheApp) {
  const auto dir = std::filesystem::temp_directory_path() / ("medai-diabetes-pkg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "rules");
  auto missing = load_diabetes_app(dir, shipped_manifest(), "sha256:x");
  EXPECT_EQ(missing.status().code(), ErrorCode::invalid_rule_set);
  std::ofstream(dir / kRulesPath) << R"({"format": "medai.rules/1", "name": "x", "version": "1", "rules": [{"id": "a"}]})";
  auto broken = load_diabetes_app(dir, shipped_manifest(), "sha256:x");
  EXPECT_EQ(broken.status().code(), ErrorCode::invalid_rule_set);
  EXPECT_FALSE(broken.status().detail()["problems"].empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace medai::diabetes

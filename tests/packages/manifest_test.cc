// Manifest validation: the valid example passes; each field's refusal is
// reported with its JSON Pointer; several problems are all listed at once.
#include "packages/manifest.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "package_fixtures.h"

namespace medai::packages {
namespace {

using nlohmann::json;
using testing::manifest_with_files;

bool has_problem_at(const std::vector<ManifestProblem>& problems, const std::string& path) {
  for (const auto& p : problems)
    if (p.path == path) return true;
  return false;
}

std::string describe(const std::vector<ManifestProblem>& problems) {
  std::string s;
  for (const auto& p : problems) s += "  " + p.path + ": " + p.message + "\n";
  return s;
}

TEST(Manifest, ValidExamplePassesAndIsParsed) {
  const json m = manifest_with_files();
  EXPECT_TRUE(check_manifest(m, "acme").empty()) << describe(check_manifest(m, "acme"));
  auto parsed = parse_manifest(m.dump());
  ASSERT_TRUE(parsed) << parsed.status().to_string();
  EXPECT_EQ(parsed->name, "lung-nodule-screening");
  EXPECT_EQ(parsed->vendor, "acme");
  EXPECT_EQ(parsed->version, "1.2.0");
  EXPECT_EQ(parsed->runtime, "torchscript");
  EXPECT_EQ(parsed->artifact, "model/model.pt");
  EXPECT_EQ(parsed->files.size(), 2u);
  EXPECT_TRUE(parsed->research_use_only);
}

TEST(Manifest, SchemaTextIsTheEmbeddedJsonSchema) {
  const json schema = json::parse(manifest_schema_text());
  EXPECT_EQ(schema["$schema"], "http://json-schema.org/draft-07/schema#");
  EXPECT_TRUE(schema["properties"].contains("pipeline"));
  // The published copy for vendors must not drift from the compiled-in schema.
  std::ifstream in(std::string(MEDAI_SOURCE_DIR) + "/docs/schemas/app-manifest.schema.json", std::ios::binary);
  std::stringstream published;
  published << in.rdbuf();
  EXPECT_EQ(published.str(), manifest_schema_text());
}

// Each case: a mutation of the valid manifest and the pointer that must be reported.
struct Refusal {
  const char* what;
  void (*mutate)(json&);
  const char* path;
};

const Refusal kRefusals[] = {
    {"missing name", [](json& m) { m.erase("name"); }, ""},
    {"schema_version 2", [](json& m) { m["schema_version"] = 2; }, "/schema_version"},
    {"upper-case name", [](json& m) { m["name"] = "Lung"; }, "/name"},
    {"one-letter name", [](json& m) { m["name"] = "l"; }, "/name"},
    {"vendor not a string", [](json& m) { m["vendor"] = 7; }, "/vendor"},
    {"version not semver", [](json& m) { m["version"] = "1.2"; }, "/version"},
    {"version leading zero", [](json& m) { m["version"] = "01.2.0"; }, "/version"},
    {"empty display_name", [](json& m) { m["display_name"] = ""; }, "/display_name"},
    {"unknown task", [](json& m) { m["task"] = "diagnosis"; }, "/task"},
    {"modality lower-case", [](json& m) { m["modality"] = {"ct"}; }, "/modality/0"},
    {"modality empty for imaging", [](json& m) { m["modality"] = json::array(); }, "/modality"},
    {"body_part not array", [](json& m) { m["body_part"] = "CHEST"; }, "/body_part"},
    {"intended_use empty", [](json& m) { m["intended_use"] = ""; }, "/intended_use"},
    {"contraindications not array", [](json& m) { m["contraindications"] = "none"; }, "/contraindications"},
    {"research_use_only not bool", [](json& m) { m["research_use_only"] = "yes"; }, "/research_use_only"},
    {"synthetic_training_data missing", [](json& m) { m.erase("synthetic_training_data"); }, ""},
    {"training_data without summary", [](json& m) { m["training_data"].erase("summary"); }, "/training_data"},
    {"negative cases", [](json& m) { m["training_data"]["cases"] = -1; }, "/training_data/cases"},
    {"metric without value", [](json& m) { m["validation"]["metrics"][0].erase("value"); }, "/validation/metrics/0"},
    {"ci95 reversed", [](json& m) { m["validation"]["metrics"][0]["ci95"] = {0.9, 0.8}; }, "/validation/metrics/0/ci95"},
    {"licence empty", [](json& m) { m["licence"] = ""; }, "/licence"},
    {"unknown runtime", [](json& m) { m["model"]["runtime"] = "tensorflow"; }, "/model/runtime"},
    {"artifact missing", [](json& m) { m["model"].erase("artifact"); }, "/model/artifact"},
    {"artifact not in files", [](json& m) { m["model"]["artifact"] = "model/other.pt"; }, "/model/artifact"},
    {"threads zero", [](json& m) { m["model"]["threads"] = 0; }, "/model/threads"},
    {"kserve without remote", [](json& m) { m["model"] = {{"runtime", "kserve-v2"}}; }, "/model/remote"},
    {"remote url not http", [](json& m) { m["model"] = {{"runtime", "kserve-v2"}, {"remote", {{"url", "ftp://x"}, {"model", "m"}}}}; }, "/model/remote/url"},
    {"remote for torchscript", [](json& m) { m["model"]["remote"] = {{"url", "http://t:8000"}, {"model", "m"}}; }, "/model/remote"},
    {"unknown input kind", [](json& m) { m["input"]["kind"] = "video"; }, "/input/kind"},
    {"negative spacing", [](json& m) { m["input"]["spacing_mm"] = {1, -1, 1}; }, "/input/spacing_mm/1"},
    {"window width zero", [](json& m) { m["input"]["window"]["width"] = 0; }, "/input/window/width"},
    {"features for imaging", [](json& m) { m["input"]["features"] = {{{"name", "glu"}}}; }, "/input/features"},
    {"xgboost on volume", [](json& m) { m["model"]["runtime"] = "xgboost"; }, "/model/runtime"},
    {"label value duplicate", [](json& m) { m["output"]["labels"].push_back({{"value", 1}, {"name", "Other"}}); }, "/output/labels/1/value"},
    {"label code incomplete", [](json& m) { m["output"]["labels"][0]["code"].erase("meaning"); }, "/output/labels/0/code"},
    {"no labels for detection", [](json& m) { m["output"]["labels"] = json::array(); }, "/output/labels"},
    {"threshold not number", [](json& m) { m["output"]["thresholds"]["detection"] = "high"; }, "/output/thresholds/detection"},
    {"unknown op", [](json& m) { m["pipeline"]["pre"][0] = {{"op", "sharpen"}}; }, "/pipeline/pre/0/op"},
    {"unknown writer in second place", [](json& m) { m["writers"][1] = "pdf"; }, "/writers/1"},
    {"resample without spacing", [](json& m) { m["pipeline"]["pre"][0] = {{"op", "resample"}}; }, "/pipeline/pre/0"},
    {"window with stray parameter", [](json& m) { m["pipeline"]["pre"][1]["level"] = 3; }, "/pipeline/pre/1"},
    {"normalise fixed without std", [](json& m) { m["pipeline"]["pre"][2].erase("std"); }, "/pipeline/pre/2"},
    {"sliding_window overlap 1", [](json& m) { m["pipeline"]["pre"][3]["overlap"] = 1; }, "/pipeline/pre/3/overlap"},
    {"blend unknown", [](json& m) { m["pipeline"]["pre"][3]["blend"] = "linear"; }, "/pipeline/pre/3/blend"},
    {"threshold without value", [](json& m) { m["pipeline"]["post"][0] = {{"op", "threshold"}}; }, "/pipeline/post/0"},
    {"connectivity 5", [](json& m) { m["pipeline"]["post"][1]["connectivity"] = 5; }, "/pipeline/post/1/connectivity"},
    {"nms iou above 1", [](json& m) { m["pipeline"]["post"][2]["iou"] = 1.5; }, "/pipeline/post/2/iou"},
    {"measure with parameter", [](json& m) { m["pipeline"]["post"][3]["what"] = "all"; }, "/pipeline/post/3"},
    {"unknown writer", [](json& m) { m["writers"] = {"pdf"}; }, "/writers/0"},
    {"no writers", [](json& m) { m["writers"] = json::array(); }, "/writers"},
    {"rtstruct for classification", [](json& m) { m["task"] = "classification"; m["writers"] = {"rtstruct"}; }, "/writers/0"},
    {"files hash not sha256", [](json& m) { m["files"]["model/model.pt"] = "md5:abc"; }, "/files/model~1model.pt"},
    {"files path traversal", [](json& m) { m["files"]["../evil"] = m["files"]["model/model.pt"]; }, "/files/..~1evil"},
    {"files absolute path", [](json& m) { m["files"]["/etc/passwd"] = m["files"]["model/model.pt"]; }, "/files/~1etc~1passwd"},
    {"files lists manifest.sig", [](json& m) { m["files"]["manifest.sig"] = m["files"]["model/model.pt"]; }, "/files/manifest.sig"},
    {"unknown top-level field", [](json& m) { m["extra"] = 1; }, ""},
    {"wrong vendor", [](json& m) { m["vendor"] = "someone-else"; }, "/vendor"},
};

TEST(Manifest, EachFieldIsRefusedWithItsPath) {
  for (const Refusal& r : kRefusals) {
    json m = manifest_with_files();
    r.mutate(m);
    const auto problems = check_manifest(m, "acme");
    EXPECT_TRUE(has_problem_at(problems, r.path))
        << r.what << ": expected a problem at '" << r.path << "', got:\n" << describe(problems);
  }
}

TEST(Manifest, TabularAppRulesAreChecked) {
  json m = manifest_with_files();
  m["task"] = "tabular-advice";
  m["modality"] = json::array();
  m["body_part"] = json::array();
  m["model"] = {{"runtime", "xgboost"}, {"artifact", "model/model.pt"}};
  m["input"] = {{"kind", "tabular"}, {"features", {{{"name", "glu"}, {"unit", "mg/dL"}}}}};
  m["output"] = {{"labels", json::array()}, {"units", "probability"}};
  m["pipeline"] = json::object();
  m["writers"] = {"json", "fhir"};
  EXPECT_TRUE(check_manifest(m, "acme").empty()) << describe(check_manifest(m, "acme"));

  json no_features = m;
  no_features["input"].erase("features");
  EXPECT_TRUE(has_problem_at(check_manifest(no_features), "/input/features"));
  json with_sr = m;
  with_sr["writers"] = {"sr-tid1500"};
  EXPECT_TRUE(has_problem_at(check_manifest(with_sr), "/writers/0"));
  json with_ops = m;
  with_ops["pipeline"]["pre"] = {{{"op", "window"}, {"center", 0}, {"width", 1}}};
  EXPECT_TRUE(has_problem_at(check_manifest(with_ops), "/pipeline/pre"));
  json wrong_task = m;
  wrong_task["task"] = "classification";
  EXPECT_TRUE(has_problem_at(check_manifest(wrong_task), "/task"));
}

TEST(Manifest, SegWriterNeedsSegmentationDetectionOrImageHeatMaps) {
  json m = manifest_with_files();
  m["task"] = "classification";
  m["writers"] = {"json", "seg"};
  // A volume classifier has no SEG to write...
  EXPECT_TRUE(has_problem_at(check_manifest(m, "acme"), "/writers/1")) << describe(check_manifest(m, "acme"));
  // ...an image (2-D) classifier writes its heat-maps as a probability SEG.
  m["input"]["kind"] = "image";
  m["input"]["patch_size"] = {416, 512};
  m["pipeline"] = json::object();
  EXPECT_FALSE(has_problem_at(check_manifest(m, "acme"), "/writers/1")) << describe(check_manifest(m, "acme"));
  m["writers"] = {"json", "rtstruct"};
  EXPECT_TRUE(has_problem_at(check_manifest(m, "acme"), "/writers/1"));
}

TEST(Manifest, EveryProblemIsListedInTheErrorDetail) {
  json m = manifest_with_files();
  m["name"] = "BAD NAME";
  m["version"] = "one";
  m["task"] = "guess";
  m["pipeline"]["post"][0] = {{"op", "threshold"}};
  auto parsed = parse_manifest(m.dump(), "acme");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.status().code(), ErrorCode::invalid_manifest);
  const json& problems = parsed.status().detail()["problems"];
  ASSERT_TRUE(problems.is_array());
  std::set<std::string> paths;
  for (const auto& p : problems) {
    paths.insert(p["path"].get<std::string>());
    EXPECT_FALSE(p["message"].get<std::string>().empty());
  }
  for (const char* expected : {"/name", "/version", "/task", "/pipeline/post/0"})
    EXPECT_TRUE(paths.count(expected)) << expected << " missing in " << problems.dump();
  // Enum problems name the allowed values.
  bool task_explained = false;
  for (const auto& p : problems)
    if (p["path"] == "/task")
      task_explained = p["message"] == R"(must be one of "detection", "classification", "segmentation", "tabular-advice")";
  EXPECT_TRUE(task_explained) << problems.dump();
}

TEST(Manifest, NotJsonIsInvalidManifest) {
  for (const char* text : {"", "{", "[1,2]", "null", "\xff\xfe"}) {
    auto parsed = parse_manifest(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.status().code(), ErrorCode::invalid_manifest) << text;
  }
}

TEST(Manifest, SafePackagePaths) {
  for (const char* ok : {"model/model.pt", "a", "test/input.json", "a/b/c.bin"}) EXPECT_TRUE(is_safe_package_path(ok)) << ok;
  for (const char* bad : {"", "/abs", "../x", "a/../b", "a//b", "./a", "a/", "a\\b", "c:x", "a\nb"})
    EXPECT_FALSE(is_safe_package_path(bad)) << bad;
  EXPECT_FALSE(is_safe_package_path(std::string(256, 'a')));
}

}  // namespace
}  // namespace medai::packages

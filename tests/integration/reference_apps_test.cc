// `medai serve --demo` installs the committed reference apps (apps/*/*.medai,
// signed with the key in apps/medai-reference.pub.json) through the same gate
// as a vendor's upload, makes them public and approves them for the platform
// institution; a broken package is reported and skipped; a second start
// installs nothing twice.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "server_process.h"

namespace medai::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(ReferenceApps, DemoInstallsSignedAppsRunsImagingOnesAndSkipsABrokenPackage) {
  const fs::path source = fs::path(MEDAI_SOURCE_DIR) / "apps";
  const fs::path package = source / "diabetes-advice" / "diabetes-advice-1.0.0.medai";
  ASSERT_TRUE(fs::exists(package)) << "scripts/reference-apps/diabetes.sh builds it";
  TempDir dir;
  const fs::path apps = dir.path() / "apps";
  fs::create_directories(apps / "diabetes-advice");
  fs::create_directories(apps / "broken");
  fs::copy_file(source / "medai-reference.pub.json", apps / "medai-reference.pub.json");
  fs::copy_file(package, apps / "diabetes-advice" / package.filename());
  // An imaging app too: it gets a generated demo study and one app.run job.
  const fs::path mammo = source / "mammography-screening" / "mammography-screening-1.0.1.medai";
  ASSERT_TRUE(fs::exists(mammo)) << "scripts/reference-apps/mammo.sh builds it";
  fs::create_directories(apps / "mammography-screening");
  fs::copy_file(mammo, apps / "mammography-screening" / mammo.filename());
  {  // the same package with one byte of the model changed after signing
    std::string bytes = read_file(package);
    bytes[bytes.size() / 2] ^= 0x20;
    std::ofstream(apps / "broken" / "broken-1.0.0.medai", std::ios::binary) << bytes;
  }

  const fs::path data = dir.path() / "var";
  {
    ServerProcess server(data, {{"MEDAI_DICOM_ENABLED", "false"}}, {"--demo", "--reference-apps", apps.string()});
    ASSERT_TRUE(server.running()) << server.log_text();
    ASSERT_TRUE(wait_for_output(server, "demo: app diabetes-advice 1.0.0 installed", 120)) << server.stdout_text()
                                                                                      << server.log_text();
    EXPECT_NE(server.stdout_text().find("demo: app broken-1.0.0.medai failed"), std::string::npos)
        << server.stdout_text();

    const Api admin{server.port(), issue_token(data, "admin", dir.path())};
    int status = 0;
    const json app = admin.json("GET", "/api/v1/apps/diabetes-advice", nullptr, &status);
    ASSERT_EQ(status, 200) << app.dump();
    EXPECT_EQ(app.value("vendor", ""), "medai-reference") << app.dump();
    const json version = admin.json("GET", "/api/v1/apps/diabetes-advice/versions/1.0.0", nullptr, &status);
    ASSERT_EQ(status, 200) << version.dump();
    const json manifest = version.contains("manifest") ? version["manifest"] : version;
    bool test_auc = false;
    for (const auto& m : manifest["validation"]["metrics"])
      if (m["name"] == "roc_auc" && m["split"] == "test") test_auc = m["value"].get<double>() >= 0.82;
    EXPECT_TRUE(test_auc) << "the shipped risk model's Pima.te AUC: " << manifest["validation"].dump();

    // Approved for the platform institution: its users can call it at once.
    const json answer = admin.json("POST", "/api/v1/apps/diabetes-advice/infer",
                                   {{"age", 52}, {"sex", "female"}, {"diagnosed_t2d", false}, {"bmi", 38},
                                    {"ogtt_2h_glucose", {{"value", 185}, {"unit", "mg/dL"}}}, {"dbp", 82},
                                    {"pregnancies", 6}},
                                   &status);
    ASSERT_EQ(status, 200) << answer.dump();
    EXPECT_TRUE(answer["risk"].is_object()) << answer.dump();
    admin.json("GET", "/api/v1/apps/broken", nullptr, &status);
    EXPECT_EQ(status, 404) << "the broken package left nothing behind";

    // The imaging app's demo run: queued on a generated 4-view exam, it
    // succeeds, and its result says research use / synthetic training.
    ASSERT_TRUE(wait_for_output(server, "demo: mammography-screening 1.0.1 queued", 120)) << server.stdout_text();
    json run;
    for (int i = 0; i < 600; ++i) {
      const json jobs = admin.json("GET", "/api/v1/jobs?type=app.run", nullptr, &status);
      if (status == 200 && !jobs["items"].empty()) run = jobs["items"][0];
      if (run.is_object() && (run["state"] == "succeeded" || run["state"] == "failed")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_EQ(run.value("state", ""), "succeeded") << run.dump();
    const json result = admin.json("GET", "/api/v1/jobs/" + run["id"].get<std::string>(), nullptr, &status)["result"];
    EXPECT_EQ(result["app"]["name"], "mammography-screening");
    EXPECT_NE(result.value("notice", "").find("trained on synthetic data"), std::string::npos) << result.dump();
    std::set<std::string> kinds;
    for (const auto& o : result["objects"]) kinds.insert(o.value("kind", ""));
    EXPECT_TRUE(kinds.count("sr")) << "SR stored in the study: " << result["objects"].dump();
    EXPECT_TRUE(kinds.count("seg")) << "heat-maps (probability SEG) stored in the study: " << result["objects"].dump();

    // CLI: an explicit --token wins over MEDAI_TOKEN (sibling subcommands share
    // the flags; the environment must not overwrite what was typed), and the
    // environment alone is enough.
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
    auto explicit_token = run_medai({"data", "import-reference", "--server", url, "--token", admin.token}, dir.path(),
                                    {{"MEDAI_TOKEN", "not-a-token"}});
    EXPECT_EQ(explicit_token.exit_code, 0) << explicit_token.err;
    auto from_env = run_medai({"app", "list"}, dir.path(), {{"MEDAI_TOKEN", admin.token}, {"MEDAI_SERVER", url}});
    EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
    EXPECT_NE(from_env.out.find("diabetes-advice"), std::string::npos) << from_env.out;
  }
  {  // A second start finds everything in place and installs nothing again.
    ServerProcess server(data, {{"MEDAI_DICOM_ENABLED", "false"}}, {"--demo", "--reference-apps", apps.string()});
    ASSERT_TRUE(server.running());
    const Api admin{server.port(), issue_token(data, "admin", dir.path())};
    ASSERT_TRUE(wait_for_output(server, "demo: app broken-1.0.0.medai failed", 120)) << server.stdout_text();
    EXPECT_EQ(server.stdout_text().find("diabetes-advice 1.0.0 installed"), std::string::npos);
    EXPECT_EQ(server.stdout_text().find("queued"), std::string::npos) << "one demo run per app version";
    int status = 0;
    admin.json("GET", "/api/v1/apps/diabetes-advice", nullptr, &status);
    EXPECT_EQ(status, 200);
  }
}

}  // namespace
}  // namespace medai::testing

// `medai deid` end to end: a folder with good and bad files, a key file,
// per-file failures reported, outputs named by new SOP Instance UID.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "deid/pseudonyms.h"
#include "support/temp_dir.h"

namespace medai::deid {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

struct CliRun {
  int exit_code;
  std::string out;
};

CliRun run(const std::string& args) {
  const std::string command = std::string(MEDAI_BINARY) + " " + args + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(DeidCli, DeidentifiesAFolderAndReportsFailures) {
  if (!fs::exists(kCorpus)) GTEST_SKIP();
  medai::testing::TempDir dir;
  fs::create_directories(dir / "in" / "sub");
  fs::copy_file(kCorpus / "CT_small.dcm", dir / "in" / "CT_small.dcm");
  fs::copy_file(kCorpus / "MR_small.dcm", dir / "in" / "sub" / "MR_small.dcm");
  std::ofstream(dir / "in" / "notes.txt") << "not dicom";
  const std::string key(64, '1');
  std::ofstream(dir / "key") << key << "\n";

  const CliRun r =
      run("deid --in " + (dir / "in").string() + " --out " + (dir / "out").string() + " --key-file " +
          (dir / "key").string() + " --retain-dates-shift --clean-descriptors --report " +
          (dir / "report.jsonl").string());
  EXPECT_EQ(r.exit_code, 1) << "one file failed";
  auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["files"], 3);
  EXPECT_EQ(summary["written"], 2);
  ASSERT_EQ(summary["failed"].size(), 1u);
  EXPECT_EQ(summary["failed"][0]["error"], "invalid_dicom");
  EXPECT_GT(summary["actions"]["uid_replaced"].get<int>(), 0);
  EXPECT_GT(summary["actions"]["date_shifted"].get<int>(), 0);
  int outputs = 0;
  for (const auto& entry : fs::directory_iterator(dir / "out")) {
    ++outputs;
    EXPECT_EQ(entry.path().filename().string().rfind("2.25.", 0), 0u);
  }
  EXPECT_EQ(outputs, 2);
  std::ifstream report(dir / "report.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(report, line)) {
    auto j = nlohmann::json::parse(line);
    auto id = reidentify(j["patient_pseudonym"].get<std::string>(), key);
    ASSERT_TRUE(id.is_ok());
    EXPECT_TRUE(*id == "1CT1" || *id == "4MR1") << *id;
    // The institution's way back, from the command line; another key fails.
    const CliRun back = run("reidentify " + j["patient_pseudonym"].get<std::string>() + " --key-file " +
                            (dir / "key").string());
    EXPECT_EQ(back.exit_code, 0);
    EXPECT_EQ(back.out, *id + "\n");
    std::ofstream(dir / "other.key") << std::string(64, '2') << "\n";
    EXPECT_NE(run("reidentify " + j["patient_pseudonym"].get<std::string>() + " --key-file " +
                  (dir / "other.key").string())
                  .exit_code,
              0);
    ++lines;
  }
  EXPECT_EQ(lines, 2);
}

TEST(DeidCli, RejectsBadKeysAndMissingInput) {
  medai::testing::TempDir dir;
  std::ofstream(dir / "short.key") << "abc";
  EXPECT_NE(run("deid --in " + (kCorpus / "CT_small.dcm").string() + " --out " + (dir / "o").string() +
                " --key-file " + (dir / "short.key").string())
                .exit_code,
            0);
  EXPECT_FALSE(fs::exists(dir / "o"));
  EXPECT_NE(run("deid --in " + (dir / "nope").string() + " --out " + (dir / "o").string()).exit_code, 0);
}

}  // namespace
}  // namespace medai::deid

// `medai dicom echo|push|pull` end to end: the real binary against our SCP
// (with the folder handler) and DCMTK's storescp.
#include "dimse_fixture.h"

namespace medai::testing {
namespace {

const std::string kMedai = MEDAI_BINARY;
const std::string kCtStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";

int count_files(const std::filesystem::path& dir) {
  int n = 0;
  if (std::filesystem::exists(dir))
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST_F(DimseTest, CliEchoPushPull) {
  handler_->seed(kPydicomFiles / "CT_small.dcm");
  start_server();
  const std::string us = "MEDAI@127.0.0.1:" + port();

  auto r = run_command(kMedai + " dicom echo " + us + " --aet CLITEST");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("success"), std::string::npos) << r.output;

  r = run_command(kMedai + " dicom echo WRONG@127.0.0.1:" + port());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("remote_failure"), std::string::npos) << r.output;

  r = run_command(kMedai + " dicom echo not-a-node");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("invalid_argument"), std::string::npos) << r.output;

  // push: a folder (recursive) plus a stray non-DICOM file.
  const auto folder = dir_ / "push";
  std::filesystem::create_directories(folder / "series2");
  std::filesystem::copy_file(kPydicomFiles / "MR_small_RLE.dcm", folder / "a.dcm");
  std::filesystem::copy_file(kPydicomFiles / "rtplan.dcm", folder / "series2" / "b");
  std::ofstream(folder / "README.txt") << "not dicom";
  StorescpProcess pacs("PACS", dir_ / "pacs");
  r = run_command(kMedai + " dicom push PACS@127.0.0.1:" + std::to_string(pacs.port()) + " " + folder.string());
  EXPECT_EQ(r.exit_code, 2) << r.output;  // one file failed
  EXPECT_NE(r.output.find("sent 2 of 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("README.txt"), std::string::npos) << r.output;
  EXPECT_EQ(count_files(dir_ / "pacs"), 2);

  // pull with C-GET into a folder.
  r = run_command(kMedai + " dicom pull " + us + " --study " + kCtStudy + " --out " + (dir_ / "pulled").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count_files(dir_ / "pulled"), 1) << r.output;

  // pull with C-MOVE to the PACS.
  handler_->destinations["PACS"] = {"PACS", "127.0.0.1", pacs.port()};
  r = run_command(kMedai + " dicom pull " + us + " --study " + kCtStudy + " --move-dest PACS");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 completed"), std::string::npos) << r.output;
  EXPECT_EQ(count_files(dir_ / "pacs"), 3);
}

}  // namespace
}  // namespace medai::testing

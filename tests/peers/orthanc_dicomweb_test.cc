// medai and a real Orthanc 1.10 DICOMweb plugin:
//  - `medai dicom pull --dicomweb` retrieves a study Orthanc has (WADO-RS,
//    transfer-syntax=*) and stores it in medai (STOW-RS): byte-identical;
//  - the same files stored in both answer QIDO-RS the same way at study,
//    series and instance level, incl. Chinese patient names (GB18030 and
//    ISO_IR 192), wildcards, date ranges and includefield.
#include "peers_fixture.h"

namespace medai::testing {
namespace {

TEST_F(PeersTest, MedaiPullsAStudyFromOrthancOverDicomweb) {
  const auto files = synth_ct(5, "orthanc-only");
  store_in_orthanc_only(dir_ / "orthanc-only");
  const InstanceKeys first = keys_of(files.front());

  // Into a folder only (--out): every instance, nothing stored in medai.
  const fs::path out = dir_ / "pulled";
  auto to_folder = run_medai({"dicom", "pull", "--dicomweb", orthanc_->dicomweb_root(), "--study", first.study,
                              "--out", out.string()},
                             dir_.path());
  ASSERT_EQ(to_folder.exit_code, 0) << to_folder.out << to_folder.err;
  EXPECT_EQ(dicom_files(out).size(), files.size());
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()),
            static_cast<std::ptrdiff_t>(files.size()))
      << "no spool file left behind";
  EXPECT_TRUE(medai_qido("/dicom-web/studies").empty());

  // Into medai (WADO-RS from Orthanc, STOW-RS into medai).
  auto pull = run_medai({"dicom", "pull", "--dicomweb", orthanc_->dicomweb_root(), "--study", first.study,
                         "--server", medai_url(), "--token", token_},
                        dir_.path());
  ASSERT_EQ(pull.exit_code, 0) << pull.out << pull.err;
  const std::string n = std::to_string(files.size());
  EXPECT_NE(pull.out.find("retrieved " + n + " instances, stored " + n), std::string::npos) << pull.out;
  json studies = medai_qido("/dicom-web/studies?StudyInstanceUID=" + first.study);
  ASSERT_EQ(studies.size(), 1u) << studies.dump();
  EXPECT_EQ(studies[0]["00201208"]["Value"][0], files.size());
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string in_orthanc = orthanc_file(keys_of(f).sop);
    ASSERT_FALSE(in_orthanc.empty());
    EXPECT_TRUE(medai_instance(keys_of(f)) == in_orthanc) << "medai serves the file Orthanc has, byte for byte";
  }

  // Pulling again is a no-op success (same bytes = duplicate accepted).
  auto again = run_medai({"dicom", "pull", "--dicomweb", orthanc_->dicomweb_root(), "--study", first.study,
                          "--server", medai_url(), "--token", token_},
                         dir_.path());
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(medai_qido("/dicom-web/studies").size(), 1u);

  // Unknown study, malformed UID, unreachable server: clear errors, nothing left.
  const fs::path none = dir_ / "none";
  auto unknown = run_medai({"dicom", "pull", "--dicomweb", orthanc_->dicomweb_root(), "--study", "1.2.3.4.5.6.7",
                            "--out", none.string()},
                           dir_.path());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("[not_found]"), std::string::npos) << unknown.err;
  EXPECT_TRUE(!fs::exists(none) || fs::is_empty(none));
  auto bad = run_medai({"dicom", "pull", "--dicomweb", orthanc_->dicomweb_root(), "--study", "1.2/../x", "--out",
                        none.string()},
                       dir_.path());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("[invalid_argument]"), std::string::npos) << bad.err;
  auto down = run_medai({"dicom", "pull", "--dicomweb", "http://127.0.0.1:" + std::to_string(free_port()) + "/dw",
                         "--study", first.study, "--out", none.string()},
                        dir_.path());
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("[unavailable]"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace medai::testing

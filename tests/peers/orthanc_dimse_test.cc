// medai and a real Orthanc 1.10 over DIMSE, both directions:
//  - `medai dicom push` (our C-STORE SCU) → Orthanc has every instance with
//    the same data set;
//  - `medai dicom pull --move-dest MEDAI` (our C-MOVE SCU) of a study only
//    Orthanc has → Orthanc C-STOREs it into medai (our SCP), QIDO lists it,
//    WADO-RS returns the same data set;
//  - Orthanc as SCU against medai: C-FIND (/modalities/medai/query) and
//    C-MOVE (/modalities/medai/move) of a study only medai has.
#include "peers_fixture.h"

namespace medai::testing {
namespace {

TEST_F(PeersTest, MedaiPushesASeriesToOrthancByCStore) {
  const auto files = synth_ct(1, "push");
  ASSERT_GE(files.size(), 64u);  // 64 CT slices (+ SEG)
  auto push = run_medai_on({"dicom", "push", orthanc_node()}, files);
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  const std::string n = std::to_string(files.size());
  EXPECT_NE(push.out.find("sent " + n + " of " + n), std::string::npos) << push.out;

  json instances = orthanc_->get_json("/instances");
  ASSERT_TRUE(instances.is_array()) << instances.dump();
  EXPECT_EQ(instances.size(), files.size());
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string sent = file_bytes(f);
    const std::string stored = orthanc_file(keys_of(f).sop);
    ASSERT_FALSE(stored.empty()) << "Orthanc does not have this instance";
    EXPECT_TRUE(same_dataset(stored, sent, dir_.path())) << "data set differs after C-STORE";
  }
}

TEST_F(PeersTest, MedaiPullsAStudyFromOrthancByCMove) {
  const auto files = synth_ct(5, "orthanc-only");
  store_in_orthanc_only(dir_ / "orthanc-only");
  const InstanceKeys first = keys_of(files.front());
  ASSERT_TRUE(medai_qido("/dicom-web/studies?StudyInstanceUID=" + first.study).empty()) << "medai must not have it yet";

  // C-MOVE SCU: ask Orthanc to send the study to MEDAI (Orthanc knows MEDAI
  // from its DicomModalities; medai accepts ORTHANC as a registered node).
  auto pull = run_medai({"dicom", "pull", orthanc_node(), "--study", first.study, "--move-dest", "MEDAI"},
                        dir_.path());
  ASSERT_EQ(pull.exit_code, 0) << pull.out << pull.err;
  EXPECT_NE(pull.out.find(std::to_string(files.size()) + " completed, 0 failed"), std::string::npos) << pull.out;

  json studies = medai_qido("/dicom-web/studies?StudyInstanceUID=" + first.study);
  ASSERT_EQ(studies.size(), 1u) << studies.dump();
  EXPECT_EQ(studies[0]["00201208"]["Value"][0], files.size()) << "NumberOfStudyRelatedInstances";
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string got = medai_instance(keys_of(f));
    ASSERT_FALSE(got.empty()) << "medai WADO-RS does not return this instance";
    EXPECT_TRUE(same_dataset(got, file_bytes(f), dir_.path())) << "data set differs after C-MOVE";
  }
  // A study Orthanc does not have: nothing moves (success with 0 completed, or a reported failure).
  auto none = run_medai({"dicom", "pull", orthanc_node(), "--study", "1.2.3.4.5.6.7.8.9", "--move-dest", "MEDAI"},
                        dir_.path());
  EXPECT_TRUE(none.exit_code != 0 || none.out.find(": 0 completed") != std::string::npos) << none.out << none.err;
  EXPECT_EQ(medai_qido("/dicom-web/studies").size(), 1u);
}

TEST_F(PeersTest, OrthancFindsAndMovesAStudyFromMedai) {
  const auto files = synth_ct(1, "medai-only");
  auto stow = run_medai_on({"dicom", "stow", "--server", medai_url(), "--token", token_}, files);
  ASSERT_EQ(stow.exit_code, 0) << stow.out << stow.err;
  const InstanceKeys first = keys_of(files.front());
  ASSERT_TRUE(orthanc_->get_json("/instances").empty());

  // Orthanc's C-FIND SCU against medai's SCP (study root, STUDY level).
  json query = orthanc_->post_json("/modalities/medai/query",
                                   {{"Level", "Study"}, {"Query", {{"StudyInstanceUID", first.study}}}});
  ASSERT_TRUE(query.contains("ID")) << query.dump() << orthanc_->log_text();
  json answers = orthanc_->get_json("/queries/" + query["ID"].get<std::string>() + "/answers?expand&simplify");
  ASSERT_TRUE(answers.is_array()) << answers.dump();
  ASSERT_EQ(answers.size(), 1u) << answers.dump();
  EXPECT_EQ(answers[0]["StudyInstanceUID"], first.study);

  // Orthanc's C-MOVE SCU: medai sends the study to ORTHANC (a registered node).
  json moved = orthanc_->post_json("/modalities/medai/move",
                                   {{"Level", "Study"},
                                    {"Resources", {{{"StudyInstanceUID", first.study}}}},
                                    {"TargetAet", orthanc_->ae_title()},
                                    {"Synchronous", true},
                                    {"Timeout", 120}});
  ASSERT_FALSE(moved.is_discarded()) << orthanc_->log_text();
  json instances = orthanc_->get_json("/instances");
  ASSERT_TRUE(instances.is_array());
  EXPECT_EQ(instances.size(), files.size()) << orthanc_->log_text();
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string stored = orthanc_file(keys_of(f).sop);
    ASSERT_FALSE(stored.empty()) << "Orthanc did not receive this instance";
    EXPECT_TRUE(same_dataset(stored, file_bytes(f), dir_.path())) << "data set differs after C-MOVE";
  }
}

}  // namespace
}  // namespace medai::testing

// C-FIND, C-GET and C-MOVE SCP against DCMTK's findscu, getscu and movescu
// (C-MOVE into a DCMTK storescp started here), and against our own SCU.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <set>

#include "dimse/dcmtk_support.h"
#include "dimse/scu.h"
#include "dimse_fixture.h"

namespace medai::testing {
namespace {

const std::string kCtStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
const std::string kCtSeries = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322";
const std::string kMrStudy = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";

class QueryRetrieveTest : public DimseTest {
 protected:
  void SetUp() override {
    DimseTest::SetUp();
    for (const char* f : {"CT_small.dcm", "MR_small.dcm", "rtdose.dcm", "rtplan.dcm"})
      handler_->seed(kPydicomFiles / f);
    start_server();
  }

  std::string tool(const std::string& name, const std::string& args) {
    return name + " -aet TESTSCU -aec MEDAI " + args + " 127.0.0.1 " + port();
  }

  // Values of `tag` in the findscu responses written with -X to `folder`.
  static std::multiset<std::string> response_values(const std::filesystem::path& folder, const DcmTagKey& tag) {
    std::multiset<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(folder)) {
      DcmFileFormat ff;
      if (ff.loadFile(e.path().c_str()).bad()) continue;
      OFString v;
      ff.getDataset()->findAndGetOFString(tag, v);
      out.insert(v.c_str());
    }
    return out;
  }
};

TEST_F(QueryRetrieveTest, FindscuPatientRootPatientLevel) {
  auto out = dir_ / "rsp";
  std::filesystem::create_directories(out);
  auto r = run_command(tool("findscu", "-P -k QueryRetrieveLevel=PATIENT -k PatientID -k PatientName -X -od " +
                                           out.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(response_values(out, DCM_PatientID),
            (std::multiset<std::string>{"1CT1", "4MR1", "id00001", "id11111"}));
  EXPECT_EQ(response_values(out, DCM_QueryRetrieveLevel).count("PATIENT"), 4u);
}

TEST_F(QueryRetrieveTest, FindscuStudyRootStudySeriesImageLevels) {
  auto study = dir_ / "study", series = dir_ / "series", image = dir_ / "image";
  for (auto& d : {study, series, image}) std::filesystem::create_directories(d);
  auto r = run_command(tool("findscu", "-S -k QueryRetrieveLevel=STUDY -k PatientID=4MR1 -k StudyInstanceUID "
                                       "-k StudyDate -k RetrieveAETitle -X -od " + study.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(response_values(study, DCM_StudyInstanceUID), (std::multiset<std::string>{kMrStudy}));
  EXPECT_EQ(response_values(study, DCM_RetrieveAETitle), (std::multiset<std::string>{"MEDAI"}));
  EXPECT_EQ(response_values(study, DCM_StudyDate), (std::multiset<std::string>{"20040826"}));

  r = run_command(tool("findscu", "-S -k QueryRetrieveLevel=SERIES -k StudyInstanceUID=" + kCtStudy +
                                      " -k SeriesInstanceUID -k Modality -X -od " + series.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(response_values(series, DCM_SeriesInstanceUID), (std::multiset<std::string>{kCtSeries}));
  EXPECT_EQ(response_values(series, DCM_Modality), (std::multiset<std::string>{"CT"}));

  r = run_command(tool("findscu", "-S -k QueryRetrieveLevel=IMAGE -k StudyInstanceUID=" + kCtStudy +
                                      " -k SeriesInstanceUID=" + kCtSeries + " -k SOPInstanceUID -X -od " +
                                      image.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto ct = dimse::read_instance_meta(kPydicomFiles / "CT_small.dcm");
  EXPECT_EQ(response_values(image, DCM_SOPInstanceUID), (std::multiset<std::string>{ct->sop_instance_uid}));
}

TEST_F(QueryRetrieveTest, FindWithInvalidLevelFailsWithA900) {
  auto r = run_command(tool("findscu", "-v -S -k QueryRetrieveLevel=PATIENT -k PatientID"));
  EXPECT_NE(r.output.find("DataSetDoesNotMatchSOPClass"), std::string::npos) << r.output;
  DcmDataset keys;
  keys.putAndInsertString(DCM_QueryRetrieveLevel, "WARD");
  // Our SCU refuses PATIENT with the study root itself, before sending.
  Status s = dimse::find(node(), dimse::QueryModel::study_root, dimse::QueryLevel::patient, keys,
                         [](DcmDataset&) { return true; });
  EXPECT_EQ(s.code(), ErrorCode::invalid_argument);
}

TEST_F(QueryRetrieveTest, OurFindStreamsMatchesAndCancels) {
  DcmDataset keys;
  keys.insertEmptyElement(DCM_PatientID);
  int seen = 0;
  Status s = dimse::find(node(), dimse::QueryModel::patient_root, dimse::QueryLevel::patient, keys,
                         [&](DcmDataset&) { return ++seen < 100; });
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(seen, 4);
  seen = 0;
  s = dimse::find(node(), dimse::QueryModel::patient_root, dimse::QueryLevel::patient, keys,
                  [&](DcmDataset&) { return ++seen < 1; });
  EXPECT_TRUE(s.is_ok()) << s.to_string();  // final status: cancel
  EXPECT_LE(seen, 2);
  EXPECT_TRUE(dimse::echo(node()).is_ok());  // association handling still fine
}

TEST_F(QueryRetrieveTest, GetscuRetrievesStudyByteIdentical) {
  auto out = dir_ / "get";
  std::filesystem::create_directories(out);
  auto r = run_command(tool("getscu", "+B -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=" + kCtStudy +
                                          " -od " + out.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(out)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u) << r.output;
  auto ct = dimse::read_instance_meta(kPydicomFiles / "CT_small.dcm");
  auto reference = wire_reference({kPydicomFiles / "CT_small.dcm"}, dir_ / "ref");
  EXPECT_TRUE(dataset_bytes(files[0]) == reference.at(ct->sop_instance_uid + "|" + ct->transfer_syntax_uid));
}

TEST_F(QueryRetrieveTest, OurGetCountsSubOperations) {
  DcmDataset keys;
  keys.putAndInsertString(DCM_PatientID, "*");
  auto summary = dimse::get(node(), dimse::QueryModel::patient_root, dimse::QueryLevel::patient, keys, dir_ / "all");
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  EXPECT_EQ(summary->final_status, 0x0000);
  EXPECT_EQ(summary->completed, 4);
  EXPECT_EQ(summary->failed, 0);
  EXPECT_EQ(summary->files.size(), 4u);
}

TEST_F(QueryRetrieveTest, MovescuToDcmtkStorescp) {
  auto dest_dir = dir_ / "dest";
  StorescpProcess storescp("DEST", dest_dir);
  handler_->destinations["DEST"] = {"DEST", "127.0.0.1", storescp.port()};
  auto r = run_command(tool("movescu", "-S -aem DEST -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=" + kMrStudy));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dest_dir)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u) << r.output;
  auto mr = dimse::read_instance_meta(kPydicomFiles / "MR_small.dcm");
  auto reference = wire_reference({kPydicomFiles / "MR_small.dcm"}, dir_ / "ref");
  EXPECT_TRUE(dataset_bytes(files[0]) == reference.at(mr->sop_instance_uid + "|" + mr->transfer_syntax_uid));

  // Our SCU: patient root, two patients' worth, counts in the final response.
  DcmDataset keys;
  keys.putAndInsertString(DCM_PatientID, "id*");
  auto summary = dimse::move(node(), dimse::QueryModel::patient_root, dimse::QueryLevel::patient, keys, "DEST");
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  EXPECT_EQ(summary->completed, 2);
  EXPECT_EQ(summary->failed, 0);
}

TEST_F(QueryRetrieveTest, MoveToUnknownDestinationFailsWithA801) {
  DcmDataset keys;
  keys.putAndInsertString(DCM_StudyInstanceUID, kCtStudy.c_str());
  auto summary = dimse::move(node(), dimse::QueryModel::study_root, dimse::QueryLevel::study, keys, "NOWHERE");
  ASSERT_FALSE(summary.is_ok());
  EXPECT_EQ(summary.status().detail().value("dimse_status", 0), 0xA801);
}

TEST_F(QueryRetrieveTest, MoveToUnreachableDestinationCountsFailures) {
  handler_->destinations["DEAD"] = {"DEAD", "127.0.0.1", free_port()};
  DcmDataset keys;
  keys.putAndInsertString(DCM_StudyInstanceUID, kCtStudy.c_str());
  auto summary = dimse::move(node(), dimse::QueryModel::study_root, dimse::QueryLevel::study, keys, "DEAD");
  ASSERT_FALSE(summary.is_ok());
  EXPECT_EQ(summary.status().detail().value("dimse_status", 0), 0xA702);
  EXPECT_EQ(summary.status().detail().value("failed", 0), 1);
}

TEST_F(DimseTest, GetOfCompressedInstance) {
  handler_->seed(kPydicomFiles / "MR_small_jpeg_ls_lossless.dcm");
  start_server();
  DcmDataset keys;
  keys.putAndInsertString(DCM_PatientID, "4MR1");
  // Our SCU offers the compressed syntaxes: the instance arrives as stored.
  auto summary = dimse::get(node(), dimse::QueryModel::patient_root, dimse::QueryLevel::patient, keys, dir_ / "ours");
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  ASSERT_EQ(summary->files.size(), 1u);
  EXPECT_EQ(dimse::read_instance_meta(summary->files[0])->transfer_syntax_uid, "1.2.840.10008.1.2.4.80");
  auto ls = dimse::read_instance_meta(kPydicomFiles / "MR_small_jpeg_ls_lossless.dcm");
  auto reference = wire_reference({kPydicomFiles / "MR_small_jpeg_ls_lossless.dcm"}, dir_ / "ref");
  EXPECT_TRUE(dataset_bytes(summary->files[0]) == reference.at(ls->sop_instance_uid + "|" + ls->transfer_syntax_uid));

  // getscu proposes only uncompressed syntaxes: we decompress for it.
  auto out = dir_ / "getscu";
  std::filesystem::create_directories(out);
  auto r = run_command("getscu -aet TESTSCU -aec MEDAI -P -k QueryRetrieveLevel=PATIENT -k PatientID=4MR1 -od " +
                       out.string() + " 127.0.0.1 " + port());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(out)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u) << r.output;
  auto meta = dimse::read_instance_meta(files[0]);
  EXPECT_TRUE(meta->transfer_syntax_uid == "1.2.840.10008.1.2.1" || meta->transfer_syntax_uid == "1.2.840.10008.1.2")
      << meta->transfer_syntax_uid;
}

// A JPEG 2000 instance for a peer that takes only uncompressed syntaxes:
// decoded with OpenJPEG, the pixels are exactly those of the uncompressed twin.
TEST_F(DimseTest, GetOfJpeg2000InstanceIsDecompressedForAnUncompressedOnlyPeer) {
  handler_->seed(kPydicomFiles / "MR_small_jp2klossless.dcm");
  start_server();
  auto out = dir_ / "getscu";
  std::filesystem::create_directories(out);
  auto r = run_command("getscu -aet TESTSCU -aec MEDAI -P -k QueryRetrieveLevel=PATIENT -k PatientID=4MR1 -od " +
                       out.string() + " 127.0.0.1 " + port());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(out)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u) << r.output;
  auto pixels = [](const std::filesystem::path& p) {
    DcmFileFormat f;
    EXPECT_TRUE(f.loadFile(p.c_str()).good());
    DcmElement* e = nullptr;
    Uint8* data = nullptr;
    if (f.getDataset()->findAndGetElement(DCM_PixelData, e).bad() || e->getUint8Array(data).bad()) return std::string();
    return std::string(reinterpret_cast<const char*>(data), e->getLength());
  };
  auto meta = dimse::read_instance_meta(files[0]);
  EXPECT_TRUE(meta->transfer_syntax_uid == "1.2.840.10008.1.2.1" || meta->transfer_syntax_uid == "1.2.840.10008.1.2")
      << meta->transfer_syntax_uid;
  const std::string got = pixels(files[0]);
  EXPECT_EQ(got.size(), 64u * 64u * 2u);
  EXPECT_TRUE(got == pixels(kPydicomFiles / "MR_small.dcm"));
}

}  // namespace
}  // namespace medai::testing

// The same files stored in medai and in Orthanc 1.10's DICOMweb plugin
// answer QIDO-RS the same way for the attributes PS3.18 requires at each
// level (Tables 6.7.1-2, -2a, -3), for the same queries.
//
// Normalisations, each one a difference the standard allows:
//  1. Result order: PS3.18 10.6.3 leaves the order of matches unspecified
//     (medai sorts; Orthanc does not) → results are compared as maps keyed
//     by the level's UID.
//  2. Key order inside an object: JSON objects are unordered (RFC 8259).
//  3. Empty vs absent: a required attribute without a value may be returned
//     empty ({"vr": ..} without "Value", PS3.18 F.2.5) or left out when the
//     instances do not have it → an attribute with no value counts as absent.
//  4. IS/DS values: PS3.18 F.2.3.1 allows a JSON number or a string holding
//     the number → compared as numbers.
//  5. RetrieveURL (0008,1190): the host part is each server's own origin →
//     compared from "/studies/" on.
//  6. NumberOfFrames (0028,0008) absent ≡ 1: medai's index counts the
//     frames of a single-frame image (CT) as 1 and answers it; Orthanc
//     leaves the attribute out. An image without the attribute has one
//     frame (PS3.3 C.7.6.6), so both say the same.
//  7. Specific Character Set (0008,0005) is not compared: QIDO JSON is
//     always UTF-8 (PS3.18 F.2), so the attribute carries no information.
//     The decoded names themselves are compared (PatientName).
#include <cctype>
#include <map>

#include "peers_fixture.h"

namespace medai::testing {
namespace {

// PS3.18 Table 6.7.1-2 (study), 6.7.1-2a (series), 6.7.1-2b (instance):
// attributes a QIDO-RS origin server returns by default.
const std::vector<std::string> kStudyAttributes = {
    "00080020",  // StudyDate
    "00080030",  // StudyTime
    "00080050",  // AccessionNumber
    "00080061",  // ModalitiesInStudy
    "00080090",  // ReferringPhysicianName
    "00081190",  // RetrieveURL
    "00100010",  // PatientName
    "00100020",  // PatientID
    "00100030",  // PatientBirthDate
    "00100040",  // PatientSex
    "0020000D",  // StudyInstanceUID
    "00200010",  // StudyID
    "00201206",  // NumberOfStudyRelatedSeries
    "00201208",  // NumberOfStudyRelatedInstances
};
const std::vector<std::string> kSeriesAttributes = {
    "00080060",  // Modality
    "0008103E",  // SeriesDescription
    "00081190",  // RetrieveURL
    "0020000E",  // SeriesInstanceUID
    "00200011",  // SeriesNumber
    "00201209",  // NumberOfSeriesRelatedInstances
    "00400244",  // PerformedProcedureStepStartDate
    "00400245",  // PerformedProcedureStepStartTime
};
const std::vector<std::string> kInstanceAttributes = {
    "00080016",  // SOPClassUID
    "00080018",  // SOPInstanceUID
    "00081190",  // RetrieveURL
    "00200013",  // InstanceNumber
    "00280008",  // NumberOfFrames
    "00280010",  // Rows
    "00280011",  // Columns
    "00280100",  // BitsAllocated
};

json normalised_value(const std::string& tag, const json& attribute) {
  json values = attribute["Value"];
  const std::string vr = attribute.value("vr", "");
  for (auto& v : values) {
    if ((vr == "IS" || vr == "DS") && v.is_string()) v = std::stod(v.get<std::string>());  // 4
    if (v.is_number()) v = v.get<double>();
    if (tag == "00081190" && v.is_string()) {  // 5
      const std::string url = v;
      const auto at = url.find("/studies/");
      v = at == std::string::npos ? url : url.substr(at);
    }
  }
  return {{"vr", vr}, {"Value", values}};
}

// One QIDO answer → {uid → {tag → normalised attribute}}.
std::map<std::string, json> normalised(const json& answer, const std::string& uid_tag,
                                       const std::vector<std::string>& tags) {
  std::map<std::string, json> out;
  if (!answer.is_array()) return out;
  for (const auto& item : answer) {
    json n = json::object();
    for (const auto& tag : tags) {
      if (!item.contains(tag)) continue;
      const json& a = item[tag];
      if (!a.contains("Value") || a["Value"].empty()) continue;  // 3
      n[tag] = normalised_value(tag, a);
    }
    std::string uid = item.contains(uid_tag) ? item[uid_tag]["Value"][0].get<std::string>() : "?";
    if (n.contains("00280008") && n["00280008"]["Value"] == json::array({1.0})) n.erase("00280008");  // 6
    out[uid] = n;  // 1
  }
  return out;
}

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '=' || c == '&' || c == '?' || c == '/' ||
        c == ',') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class QidoComparisonTest : public PeersTest {
 protected:
  void SetUp() override {
    PeersTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    synth_ct(21, "source");
    struct Study {
      std::string key, charset, name, id, date, accession;
    };
    const std::vector<Study> studies = {
        {"peer-zh-1", "GB18030", "李^华", "PEER-ZH-1", "20230315", "ACC-ZH-1"},
        {"peer-zh-2", "ISO_IR 192", "王^小明", "PEER-ZH-2", "20230620", "ACC-ZH-2"},
        {"peer-en-3", "ISO_IR 192", "SMITH^JOHN", "PEER-EN-3", "20240110", "ACC-EN-3"},
    };
    for (const auto& s : studies) {
      const fs::path out = dir_ / "studies" / s.key;
      auto r = run_command("/usr/bin/python3 " MEDAI_SOURCE_DIR "/tests/peers/make_peer_study.py " +
                           (dir_ / "source").string() + " " + out.string() + " --key " + s.key + " --charset '" +
                           s.charset + "' --name '" + s.name + "' --patient-id " + s.id + " --date " + s.date +
                           " --accession " + s.accession);
      ASSERT_EQ(r.exit_code, 0) << r.output;
      uids_.push_back(keys_of(dicom_files(out).front()));
    }
    // The same files into both servers with our STOW-RS client.
    const std::string folder = (dir_ / "studies").string();
    auto to_medai = run_medai({"dicom", "stow", folder, "--server", medai_url(), "--token", token_}, dir_.path());
    ASSERT_EQ(to_medai.exit_code, 0) << to_medai.out << to_medai.err;
    auto to_orthanc = run_medai({"dicom", "stow", folder, "--dicomweb", orthanc_->dicomweb_root()}, dir_.path());
    ASSERT_EQ(to_orthanc.exit_code, 0) << to_orthanc.out << to_orthanc.err;
  }

  // Runs one query on both and compares; returns the matched UIDs. medai
  // gets the query percent-encoded (as browsers send it); Orthanc 1.10 gets
  // it raw because its DICOMweb plugin does not percent-decode query values
  // (PatientID=PEER%2DZH%2D1 matches nothing there) and answers 400 to raw
  // non-ASCII bytes: Orthanc cannot be searched by a Chinese name at all, so
  // those queries go to Orthanc as `orthanc_query` (same matches by ID).
  std::set<std::string> compare(const std::string& query, const std::string& uid_tag,
                                const std::vector<std::string>& tags, const std::string& orthanc_query = "") {
    SCOPED_TRACE(query);
    auto ours = normalised(medai_qido(percent_encode("/dicom-web" + query)), uid_tag, tags);
    auto theirs =
        normalised(orthanc_qido("/dicom-web" + (orthanc_query.empty() ? query : orthanc_query)), uid_tag, tags);
    std::set<std::string> keys;
    for (const auto& [uid, _] : ours) keys.insert(uid);
    for (const auto& [uid, _] : theirs) keys.insert(uid);
    for (const auto& uid : keys) {
      const json a = ours.count(uid) ? ours[uid] : json(nullptr);
      const json b = theirs.count(uid) ? theirs[uid] : json(nullptr);
      if (a == b) continue;
      ADD_FAILURE() << "QIDO differs for " << uid << "\n  medai:   " << a.dump() << "\n  Orthanc: " << b.dump()
                    << "\n  patch (medai → Orthanc): " << json::diff(a, b).dump();
    }
    return keys;
  }

  std::vector<InstanceKeys> uids_;  // first instance of each study, in the order above
};

TEST_F(QidoComparisonTest, StudyLevelQueriesMatchOrthanc) {
  const std::string zh1 = uids_[0].study, zh2 = uids_[1].study, en3 = uids_[2].study;
  EXPECT_EQ(compare("/studies", "0020000D", kStudyAttributes), (std::set<std::string>{zh1, zh2, en3}));
  EXPECT_EQ(compare("/studies?PatientID=PEER-ZH-1", "0020000D", kStudyAttributes), (std::set<std::string>{zh1}));
  EXPECT_EQ(compare("/studies?PatientID=PEER-ZH*", "0020000D", kStudyAttributes),
            (std::set<std::string>{zh1, zh2}));
  EXPECT_EQ(compare("/studies?PatientName=李^华", "0020000D", kStudyAttributes, "/studies?PatientID=PEER-ZH-1"),
            (std::set<std::string>{zh1}));
  EXPECT_EQ(compare("/studies?PatientName=王*", "0020000D", kStudyAttributes, "/studies?PatientID=PEER-ZH-2"),
            (std::set<std::string>{zh2}));
  EXPECT_EQ(compare("/studies?PatientName=SMITH*", "0020000D", kStudyAttributes), (std::set<std::string>{en3}));
  EXPECT_EQ(compare("/studies?StudyDate=20230101-20231231", "0020000D", kStudyAttributes),
            (std::set<std::string>{zh1, zh2}));
  EXPECT_EQ(compare("/studies?StudyDate=20230601-", "0020000D", kStudyAttributes), (std::set<std::string>{zh2, en3}));
  EXPECT_EQ(compare("/studies?StudyDate=-20230401", "0020000D", kStudyAttributes), (std::set<std::string>{zh1}));
  EXPECT_EQ(compare("/studies?StudyDate=20240110", "0020000D", kStudyAttributes), (std::set<std::string>{en3}));
  EXPECT_EQ(compare("/studies?AccessionNumber=ACC-?H-2", "0020000D", kStudyAttributes), (std::set<std::string>{zh2}));
  EXPECT_EQ(compare("/studies?ModalitiesInStudy=CT&StudyDate=20230101-20231231", "0020000D", kStudyAttributes).size(), 2u);
  EXPECT_EQ(compare("/studies?PatientID=NOBODY", "0020000D", kStudyAttributes).size(), 0u);
  // includefield adds an attribute to the defaults (StudyDescription).
  auto with_description = kStudyAttributes;
  with_description.push_back("00081030");
  EXPECT_EQ(compare("/studies?PatientID=PEER-ZH-2&includefield=00081030", "0020000D", with_description).size(), 1u);
}

TEST_F(QidoComparisonTest, SeriesAndInstanceLevelQueriesMatchOrthanc) {
  const InstanceKeys& zh1 = uids_[0];
  EXPECT_EQ(compare("/studies/" + zh1.study + "/series", "0020000E", kSeriesAttributes).size(), 2u);
  EXPECT_EQ(compare("/studies/" + zh1.study + "/series?SeriesNumber=2", "0020000E", kSeriesAttributes).size(), 1u);
  EXPECT_EQ(compare("/series?Modality=CT", "0020000E", kSeriesAttributes).size(), 6u);
  EXPECT_EQ(compare("/studies/" + zh1.study + "/series/" + zh1.series + "/instances", "00080018", kInstanceAttributes)
                .size(),
            2u);
  EXPECT_EQ(compare("/studies/" + zh1.study + "/instances", "00080018", kInstanceAttributes).size(), 4u);
  EXPECT_EQ(compare("/studies/" + zh1.study + "/instances?InstanceNumber=1", "00080018", kInstanceAttributes).size(),
            2u);
  EXPECT_EQ(compare("/instances?SOPInstanceUID=" + zh1.sop, "00080018", kInstanceAttributes).size(), 1u);
}

}  // namespace
}  // namespace medai::testing

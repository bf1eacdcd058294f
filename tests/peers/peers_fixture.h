#pragma once
// A real `medai serve` and a real Orthanc 1.10 (+ DICOMweb plugin) side by
// side on loopback, each in a temp folder, knowing each other: Orthanc has
// medai as DICOM modality "medai" (AE MEDAI), medai has Orthanc as a
// registered node (AE ORTHANC, may store, is a C-MOVE destination).
// Fresh per test (ctest runs every test in its own process).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <set>

#include "integration/dicomweb_fixture.h"
#include "support/dicom_tools.h"
#include "support/orthanc_process.h"

namespace medai::testing {

namespace fs = std::filesystem;
using nlohmann::json;

struct InstanceKeys {
  std::string study, series, sop;
};

inline InstanceKeys keys_of(const fs::path& file) {
  DcmFileFormat ff;
  InstanceKeys k;
  if (ff.loadFile(file.c_str()).bad()) return k;
  OFString v;
  if (ff.getDataset()->findAndGetOFString(DCM_StudyInstanceUID, v).good()) k.study = v.c_str();
  if (ff.getDataset()->findAndGetOFString(DCM_SeriesInstanceUID, v).good()) k.series = v.c_str();
  if (ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, v).good()) k.sop = v.c_str();
  return k;
}

// The data set of a Part 10 file without preamble and File Meta Information.
// Over DIMSE only the data set travels: the receiver writes its own meta
// header (Implementation Class UID / Version Name, Source AE Title — PS3.10
// 7.1), so "byte-identical" after a C-STORE means identical data sets.
inline std::string dataset_bytes(const std::string& part10) {
  if (part10.size() < 144 || part10.compare(128, 4, "DICM") != 0) return {};
  // (0002,0000) UL, explicit VR little endian: tag(4) VR(2) len(2) value(4).
  const auto* p = reinterpret_cast<const unsigned char*>(part10.data()) + 140;
  const std::size_t group_length = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::size_t>(p[3]) << 24);
  const std::size_t start = 144 + group_length;
  return start <= part10.size() ? part10.substr(start) : std::string();
}

// Same data set, up to the encoding of sequence and item lengths: DCMTK's
// network layer (in every DCMTK SCU: ours, storescu, Orthanc's) sends
// sequences with explicit lengths, so a file written with undefined-length
// sequences (our SEG) arrives re-encoded. Both encodings are the same data
// set (PS3.5 7.5); when the raw bytes differ, both sides are rewritten with
// `dcmconv +e` (explicit lengths) and compared again.
// DCMTK also drops Data Set Trailing Padding (FFFC,FFFC), which readers
// ignore (PS3.10 7.2), so `-p` removes it on both sides. With
// `any_transfer_syntax` both are also written as explicit VR little endian
// (`+te`): for files whose transfer syntax the sender had to guess.
inline bool same_dataset(const std::string& a, const std::string& b, const fs::path& scratch,
                         bool any_transfer_syntax = false) {
  const std::string da = dataset_bytes(a), db = dataset_bytes(b);
  if (!da.empty() && da == db) return true;
  const fs::path in_a = scratch / "cmp-a.dcm", in_b = scratch / "cmp-b.dcm";
  const fs::path out_a = scratch / "cmp-a-e.dcm", out_b = scratch / "cmp-b-e.dcm";
  std::ofstream(in_a, std::ios::binary) << a;
  std::ofstream(in_b, std::ios::binary) << b;
  const std::string conv = std::string("dcmconv +e -g -p ") + (any_transfer_syntax ? "+te " : "");
  if (run_command(conv + in_a.string() + " " + out_a.string()).exit_code != 0) return false;
  if (run_command(conv + in_b.string() + " " + out_b.string()).exit_code != 0) return false;
  const std::string ca = dataset_bytes(file_bytes(out_a));
  return !ca.empty() && ca == dataset_bytes(file_bytes(out_b));
}

inline std::vector<fs::path> dicom_files(const fs::path& folder) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(folder))
    if (e.path().extension() == ".dcm") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class PeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!orthanc_installed()) GTEST_SKIP() << "Orthanc or its DICOMweb plugin is not installed";
    medai_ = std::make_unique<ServerProcess>(dir_ / "var");
    ASSERT_TRUE(medai_->running()) << medai_->log_text();
    ASSERT_GT(medai_->dimse_port(), 0);
    auto token = run_medai({"admin", "issue-token", "--data-dir", (dir_ / "var").string(), "--user", "admin"},
                           dir_.path());
    ASSERT_EQ(token.exit_code, 0) << token.err;
    token_ = token.out.substr(0, token.out.find('\n'));
    orthanc_ = std::make_unique<OrthancProcess>(dir_ / "orthanc",
                                                std::vector<OrthancModality>{
                                                    {"medai", "MEDAI", "127.0.0.1", medai_->dimse_port()}});
    ASSERT_TRUE(orthanc_->running()) << orthanc_->log_text();
    int status = 0;
    json node = api().json("POST", "/api/v1/dicom-nodes",
                           {{"name", "orthanc"},
                            {"ae_title", orthanc_->ae_title()},
                            {"host", "127.0.0.1"},
                            {"port", orthanc_->dicom_port()}},
                           &status);
    ASSERT_EQ(status, 201) << node.dump();
  }

  // `medai args... FILES` with every file as an argument (the synth folder
  // also holds ground_truth.json, which is not DICOM).
  CommandResult run_medai_on(std::vector<std::string> args, const std::vector<fs::path>& files) {
    for (const auto& f : files) args.push_back(f.string());
    return run_medai(args, dir_.path());
  }

  Api api() const { return Api{medai_->port(), token_}; }
  std::string medai_url() const { return "http://127.0.0.1:" + std::to_string(medai_->port()); }
  std::string orthanc_node() const {
    return orthanc_->ae_title() + "@127.0.0.1:" + std::to_string(orthanc_->dicom_port());
  }

  // `medai synth chest-ct --small` (64 CT slices + a SEG of the nodules when
  // the seed drew any), written below `name`: the .dcm files, sorted.
  std::vector<fs::path> synth_ct(int seed, const std::string& name) {
    auto r = run_medai({"synth", "chest-ct", "--small", "--seed", std::to_string(seed), "--count", "1", "--out",
                        (dir_ / name).string()},
                       dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dicom_files(dir_ / name);
  }

  // Sends files to Orthanc with DCMTK storescu (a path medai is not part of).
  void store_in_orthanc_only(const fs::path& folder) {
    auto r = run_command("env TCP_NODELAY=1 storescu -R -aet PEERTEST -aec ORTHANC +sd +r +sp '*.dcm' 127.0.0.1 " +
                             std::to_string(orthanc_->dicom_port()) + " " + folder.string(),
                         180);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  // Orthanc's id of an instance (POST /tools/lookup), "" when it has none.
  std::string orthanc_instance_id(const std::string& sop_uid) const {
    const auto file = dir_ / "lookup.txt";
    std::ofstream(file) << sop_uid;
    auto r = run_command("curl -sf --data-binary @" + file.string() + " " + orthanc_->url("/tools/lookup"));
    json found = json::parse(r.output, nullptr, false);
    if (!found.is_array()) return {};
    for (const auto& f : found)
      if (f.value("Type", "") == "Instance") return f.value("ID", "");
    return {};
  }
  std::string orthanc_file(const std::string& sop_uid) const {
    const std::string id = orthanc_instance_id(sop_uid);
    return id.empty() ? std::string() : orthanc_->get("/instances/" + id + "/file");
  }

  // medai WADO-RS instance retrieve → the single part's bytes ("" on failure).
  std::string medai_instance(const InstanceKeys& k) const {
    auto r = api().call("GET", "/dicom-web/studies/" + k.study + "/series/" + k.series + "/instances/" + k.sop, "",
                        "Accept: multipart/related; type=\"application/dicom\"\r\n");
    if (!r || r->status != 200) return {};
    auto parts = multipart_bodies(*r);
    return parts.size() == 1 ? parts[0] : std::string();
  }
  json medai_qido(const std::string& target) const {
    int status = 0;
    json j = api().json("GET", target, nullptr, &status);
    EXPECT_EQ(status, 200) << target << " " << j.dump();
    return j.is_null() ? json::array() : j;
  }
  json orthanc_qido(const std::string& target) const {
    const std::string body = orthanc_->get(target, "application/dicom+json");
    json j = json::parse(body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << target << " " << body.substr(0, 300);
    return j.is_discarded() ? json::array() : j;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> medai_;
  std::unique_ptr<OrthancProcess> orthanc_;
  std::string token_;
};

}  // namespace medai::testing

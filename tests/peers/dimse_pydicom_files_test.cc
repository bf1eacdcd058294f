// Every file shipped in pydicom's test_files folder sent to medai's C-STORE
// SCP with DCMTK `storescu`, one association per file, proposing exactly the
// file's own transfer syntax (-xi/-xe/-xb/-xd or the compressed one; -R: only
// the file's SOP class), so nothing is transcoded on the way. Each file is
// either stored and served back by WADO-RS with the same data set, or
// refused by the SCP with a failure status, or not sent at all because
// storescu itself cannot read it ("missing SOP class (or instance) in
// file": the server never sees those), or the association is rejected
// because the SCP accepts no presentation context for it. The table
// says which; the server must survive all of it. Run with
// duplicate_policy=keep_newest: several pydicom files are the same instance
// in different transfer syntaxes.
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <map>
#include <regex>

#include "peers_fixture.h"

namespace medai::testing {
namespace {

constexpr const char* kStored = "stored";
constexpr const char* kNotSent = "not sent";  // storescu cannot read the file
constexpr const char* kRejected = "association rejected";  // the SCP accepts no presentation context for it

// File (relative to test_files) → "stored", "not sent", "association rejected" or the SCP's status.
const std::map<std::string, std::string>& expected_outcomes() {
  static const std::map<std::string, std::string> table = {
      {"693_J2KI.dcm", kStored},
      {"CT_small.dcm", kStored},
      {"ExplVR_BigEnd.dcm", kStored},
      {"ExplVR_BigEndNoMeta.dcm", kStored},
      {"ExplVR_LitEndNoMeta.dcm", kStored},
      {"GDCMJ2K_TextGBR.dcm", kStored},
      {"J2K_pixelrep_mismatch.dcm", kStored},
      {"JPEG-lossy.dcm", kStored},
      {"JPEG2000-embedded-sequence-delimiter.dcm", kStored},
      {"JPEG2000.dcm", kStored},
      {"JPGExtended.dcm", kStored},
      {"MR_small.dcm", kStored},
      {"MR_small_RLE.dcm", kStored},
      {"MR_small_bigendian.dcm", kStored},
      {"MR_small_expb.dcm", kStored},
      {"MR_small_implicit.dcm", kStored},
      {"MR_small_jp2klossless.dcm", kStored},
      {"MR_small_jpeg_ls_lossless.dcm", kStored},
      {"MR_small_padded.dcm", kStored},
      {"SC_jpeg_no_color_transform.dcm", kStored},
      {"SC_jpeg_no_color_transform_2.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cr.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+n1.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+n2.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+np.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+s2.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+s4.dcm", kStored},
      {"SC_rgb_gdcm_KY.dcm", kStored},
      {"SC_rgb_jpeg_app14_dcmd.dcm", kStored},
      {"SC_rgb_jpeg_dcmd.dcm", kStored},
      {"SC_rgb_jpeg_dcmtk.dcm", kStored},
      {"SC_rgb_jpeg_gdcm.dcm", kStored},
      {"SC_rgb_jpeg_lossy_gdcm.dcm", kStored},
      {"SC_rgb_rle.dcm", kStored},
      {"SC_rgb_rle_16bit.dcm", kStored},
      {"SC_rgb_rle_16bit_2frame.dcm", kStored},
      {"SC_rgb_rle_2frame.dcm", kStored},
      {"SC_rgb_rle_32bit.dcm", kStored},
      {"SC_rgb_rle_32bit_2frame.dcm", kStored},
      {"SC_rgb_small_odd.dcm", kStored},
      {"SC_rgb_small_odd_jpeg.dcm", kStored},
      {"SC_ybr_full_422_uncompressed.dcm", kStored},
      {"badVR.dcm", kStored},
      {"image_dfl.dcm", kStored},
      {"liver_1frame.dcm", kStored},
      {"liver_expb_1frame.dcm", kStored},
      {"reportsi.dcm", kStored},
      {"reportsi_with_empty_number_tags.dcm", kStored},
      {"rtdose.dcm", kStored},
      {"rtdose_1frame.dcm", kStored},
      {"rtdose_expb.dcm", kStored},
      {"rtdose_expb_1frame.dcm", kStored},
      {"rtplan.dcm", kStored},
      {"rtstruct.dcm", kStored},
      {"test-SR.dcm", kStored},
      // storescu cannot read these (truncated, not DICOM, no SOP class or
      // instance UID it can find, DICOMDIRs): nothing reaches the server.
      {"MR_truncated.dcm", kNotSent},
      {"README.txt", kNotSent},
      {"SC_rgb_jpeg.dcm", kNotSent},
      {"UN_sequence.dcm", kNotSent},
      {"dicomdirtests/DICOMDIR", kNotSent},
      {"dicomdirtests/DICOMDIR-bigEnd", kNotSent},
      {"dicomdirtests/DICOMDIR-empty.dcm", kNotSent},
      {"dicomdirtests/DICOMDIR-implicit", kNotSent},
      {"dicomdirtests/DICOMDIR-nooffset", kNotSent},
      {"dicomdirtests/DICOMDIR-nopatient", kNotSent},
      {"dicomdirtests/DICOMDIR-reordered", kNotSent},
      {"dicomdirtests/README.txt", kNotSent},
      {"dicomdirtests/TINY_ALPHA/DICOMDIR", kNotSent},
      {"dicomdirtests/TINY_ALPHA/README", kNotSent},
      {"empty_charset_LEI.dcm", kNotSent},
      {"meta_missing_tsyntax.dcm", kNotSent},
      {"nested_priv_SQ.dcm", kNotSent},
      {"no_meta.dcm", kNotSent},
      {"no_meta_group_length.dcm", kNotSent},
      {"priv_SQ.dcm", kNotSent},
      {"rtdose_rle.dcm", kNotSent},
      {"rtdose_rle_1frame.dcm", kNotSent},
      {"rtplan.dump", kNotSent},
      {"rtplan_truncated.dcm", kNotSent},
      {"rtstruct.dump", kNotSent},
      {"test1.json", kNotSent},
      {"test_PN.json", kNotSent},
      {"zipMR.gz", kNotSent},
      {"waveform_ecg.dcm", kStored},  // 12-lead ECG Waveform Storage
  };
  return table;
}

std::string expected_for(const std::string& relative) {
  auto it = expected_outcomes().find(relative);
  if (it != expected_outcomes().end()) return it->second;
  // The image files of the DICOMDIR test folders are plain instances.
  for (const char* folder : {"dicomdirtests/77654033/", "dicomdirtests/98892001/", "dicomdirtests/98892003/",
                             "dicomdirtests/TINY_ALPHA/PT000000/"})
    if (relative.rfind(folder, 0) == 0) return kStored;
  return "";
}

// storescu's proposal for the file's own transfer syntax ("" = storescu default).
std::string propose_flag(const fs::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096).bad()) return "";
  OFString ts;
  ff.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts);
  static const std::map<std::string, std::string> flags = {
      {"1.2.840.10008.1.2", "-xi"},         {"1.2.840.10008.1.2.1", "-xe"},     {"1.2.840.10008.1.2.2", "-xb"},
      {"1.2.840.10008.1.2.1.99", "-xd"},    {"1.2.840.10008.1.2.4.50", "-xy"},  {"1.2.840.10008.1.2.4.51", "-xx"},
      {"1.2.840.10008.1.2.4.70", "-xs"},    {"1.2.840.10008.1.2.4.80", "-xt"},  {"1.2.840.10008.1.2.4.81", "-xu"},
      {"1.2.840.10008.1.2.4.90", "-xv"},    {"1.2.840.10008.1.2.4.91", "-xw"},  {"1.2.840.10008.1.2.5", "-xr"},
  };
  auto it = flags.find(ts.c_str());
  return it == flags.end() ? "" : it->second;
}

TEST(DimsePydicomFilesTest, EveryFileIsStoredAndServedBackOrRefusedWithAStatus) {
  TempDir dir;
  ServerProcess server(dir / "var", {{"MEDAI_DICOM_DUPLICATE_POLICY", "keep_newest"}});
  ASSERT_TRUE(server.running()) << server.log_text();
  ASSERT_GT(server.dimse_port(), 0);
  const std::string data = (dir / "var").string();
  auto added = run_medai({"dicom", "nodes", "add", "--data-dir", data, "--name", "pydicom", "--ae", "PYDICOM", "--host",
                          "127.0.0.1", "--port", "104", "--institution", "platform"},
                         dir.path());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto token = run_medai({"admin", "issue-token", "--data-dir", data, "--user", "admin"}, dir.path());
  Api api{server.port(), token.out.substr(0, token.out.find('\n'))};

  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kPydicomTestFiles))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 150u);
  const std::regex status_re("DIMSE Status\\s*:\\s*0x([0-9a-fA-F]{4})");
  std::map<std::string, std::string> actual;
  std::size_t stored = 0, refused = 0, not_sent = 0;
  for (const auto& path : files) {
    const std::string relative = fs::relative(path, kPydicomTestFiles).string();
    SCOPED_TRACE(relative);
    const std::string flag = propose_flag(path);
    auto sent = run_command("env TCP_NODELAY=1 storescu -d -R " + (flag.empty() ? "" : flag + " ") +
                                "-aet PYDICOM -aec MEDAI 127.0.0.1 " + std::to_string(server.dimse_port()) + " '" +
                                path.string() + "'",
                            60);
    std::smatch m;
    std::string outcome;
    std::string status;
    for (auto it = std::sregex_iterator(sent.output.begin(), sent.output.end(), status_re);
         it != std::sregex_iterator(); ++it)
      status = (*it)[1].str();  // the last one: the C-STORE response
    std::transform(status.begin(), status.end(), status.begin(), ::toupper);
    if (status.empty()) {
      const bool rejected = sent.output.find("Association Rejected") != std::string::npos ||
                            sent.output.find("No presentation context") != std::string::npos ||
                            sent.output.find("No Acceptable Presentation Contexts") != std::string::npos;
      outcome = rejected ? kRejected : kNotSent;
      if (rejected) ++refused;
    } else if (status == "0000" || status.rfind("B", 0) == 0) {
      outcome = kStored;
      // Served back with the same data set.
      const InstanceKeys k = keys_of(path);
      auto r = api.call("GET", "/dicom-web/studies/" + k.study + "/series/" + k.series + "/instances/" + k.sop, "",
                        "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=*\r\n");
      ASSERT_TRUE(r) << "the server must answer (did it crash?)";
      ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
      auto parts = multipart_bodies(*r);
      ASSERT_EQ(parts.size(), 1u);
      const std::string original = file_bytes(path);
      // Files without preamble/meta header: storescu guesses their transfer
      // syntax, so they are compared whatever syntax they travelled in.
      const bool part10 = original.size() > 132 && original.compare(128, 4, "DICM") == 0;
      EXPECT_TRUE(same_dataset(parts[0], original, dir.path(), !part10)) << "data set differs";
      ++stored;
    } else {
      outcome = "0x" + status;
      ++refused;
    }
    actual[relative] = outcome;
    if (outcome == kNotSent) ++not_sent;
    EXPECT_EQ(outcome, expected_for(relative)) << sent.output.substr(0, 600);
  }
  std::string table;
  for (const auto& [file, outcome] : actual) table += "      {\"" + file + "\", \"" + outcome + "\"},\n";
  if (HasFailure()) std::cout << "actual outcomes:\n" << table;
  auto health = http::testing::fetch(server.port(), "GET", "/healthz");
  ASSERT_TRUE(health) << "the server must survive every file";
  EXPECT_EQ(health->status, 200);
  EXPECT_GT(stored, 100u);
  std::cout << stored << " stored, " << refused << " refused by the SCP, " << not_sent << " not sent by storescu\n";
}

}  // namespace
}  // namespace medai::testing

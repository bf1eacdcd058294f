// Every file shipped in pydicom's test_files folder (all transfer syntaxes,
// RT, SR, SEG-like, malformed, DICOMDIRs, non-DICOM files) sent by STOW-RS,
// one per request: each is either stored and served back byte-identical by
// WADO-RS, or refused with the error code in this table. Frames and rendered
// images of the JPEG 2000 files must decode. The server must
// survive all of it. Run with duplicate_policy=keep_newest because several
// pydicom files are the same instance in different transfer syntaxes.
#include <gtest/gtest.h>

#include <map>

#include "dicom/parse.h"
#include "dicomweb_fixture.h"

namespace medai::testing {
namespace {

using nlohmann::json;

constexpr const char* kStored = "stored";

// File (relative to test_files) → "stored" or the error code it is refused with.
const std::map<std::string, std::string>& expected_outcomes() {
  static const std::map<std::string, std::string> table = {
      {"693_J2KI.dcm", kStored},
      {"CT_small.dcm", kStored},
      {"ExplVR_BigEnd.dcm", kStored},
      {"ExplVR_BigEndNoMeta.dcm", "invalid_dicom"},  // no Part 10 header
      {"ExplVR_LitEndNoMeta.dcm", "invalid_dicom"},
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
      {"MR_truncated.dcm", "invalid_dicom"},  // pixel data cut short
      {"README.txt", "invalid_dicom"},
      {"SC_jpeg_no_color_transform.dcm", kStored},
      {"SC_jpeg_no_color_transform_2.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cr.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+n1.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+n2.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+np.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+s2.dcm", kStored},
      {"SC_rgb_dcmtk_+eb+cy+s4.dcm", kStored},
      {"SC_rgb_gdcm_KY.dcm", kStored},
      {"SC_rgb_jpeg.dcm", "invalid_dicom"},  // DCMTK rejects its encapsulated stream
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
      {"UN_sequence.dcm", "dicom_missing_attribute"},  // fragments without SOP Class UID
      {"badVR.dcm", kStored},
      {"dicomdirtests/DICOMDIR", "unsupported_sop_class"},
      {"dicomdirtests/DICOMDIR-bigEnd", "unsupported_sop_class"},
      {"dicomdirtests/DICOMDIR-empty.dcm", "unsupported_sop_class"},
      {"dicomdirtests/DICOMDIR-implicit", "unsupported_sop_class"},
      {"dicomdirtests/DICOMDIR-nooffset", "unsupported_sop_class"},
      {"dicomdirtests/DICOMDIR-nopatient", "unsupported_sop_class"},
      {"dicomdirtests/DICOMDIR-reordered", "unsupported_sop_class"},
      {"dicomdirtests/README.txt", "invalid_dicom"},
      {"dicomdirtests/TINY_ALPHA/DICOMDIR", "unsupported_sop_class"},
      {"dicomdirtests/TINY_ALPHA/README", "invalid_dicom"},
      {"empty_charset_LEI.dcm", "dicom_missing_attribute"},
      {"image_dfl.dcm", kStored},
      {"liver_1frame.dcm", kStored},
      {"liver_expb_1frame.dcm", kStored},
      {"meta_missing_tsyntax.dcm", "invalid_dicom"},
      {"nested_priv_SQ.dcm", "dicom_missing_attribute"},
      {"no_meta.dcm", "invalid_dicom"},
      {"no_meta_group_length.dcm", "dicom_missing_attribute"},
      {"priv_SQ.dcm", "dicom_missing_attribute"},
      {"reportsi.dcm", kStored},
      {"reportsi_with_empty_number_tags.dcm", kStored},
      {"rtdose.dcm", kStored},
      {"rtdose_1frame.dcm", kStored},
      {"rtdose_expb.dcm", kStored},
      {"rtdose_expb_1frame.dcm", kStored},
      {"rtdose_rle.dcm", kStored},
      {"rtdose_rle_1frame.dcm", kStored},
      {"rtplan.dcm", kStored},
      {"rtplan.dump", "invalid_dicom"},
      {"rtplan_truncated.dcm", "invalid_dicom"},
      {"rtstruct.dcm", "invalid_dicom"},  // written without the Part 10 preamble
      {"rtstruct.dump", "invalid_dicom"},
      {"test-SR.dcm", kStored},
      {"test1.json", "invalid_dicom"},
      {"test_PN.json", "invalid_dicom"},
      {"waveform_ecg.dcm", kStored},
      {"zipMR.gz", "invalid_dicom"},
  };
  return table;
}

// Files of the dicomdirtests image folders are all plain stored instances.
std::string expected_for(const std::string& relative) {
  auto it = expected_outcomes().find(relative);
  if (it != expected_outcomes().end()) return it->second;
  if (relative.rfind("dicomdirtests/77654033/", 0) == 0 || relative.rfind("dicomdirtests/98892001/", 0) == 0 ||
      relative.rfind("dicomdirtests/98892003/", 0) == 0 ||
      relative.rfind("dicomdirtests/TINY_ALPHA/PT000000/", 0) == 0)
    return kStored;
  return "";
}

TEST(PydicomFilesTest, EveryFileIsStoredAndServedBackOrRefusedWithItsReason) {
  TempDir dir;
  DicomWebServer server(dir / "var", {{"MEDAI_DICOM_DUPLICATE_POLICY", "keep_newest"}});
  server.provision();
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kPydicomTestFiles))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 150u);
  std::size_t stored = 0, refused = 0, jpeg2000_decoded = 0;
  for (const auto& path : files) {
    const std::string relative = std::filesystem::relative(path, kPydicomTestFiles).string();
    SCOPED_TRACE(relative);
    const std::string expected = expected_for(relative);
    ASSERT_FALSE(expected.empty()) << "add this file to the table";
    const std::string bytes = file_bytes(path);
    auto r = server.stow(server.a, {bytes});
    ASSERT_TRUE(r) << "the server must answer (did it crash?)";
    if (expected == kStored) {
      ASSERT_EQ(r->status, 200) << r->body;
      auto keys = dicom::parse_dicom(bytes)->keys();
      auto back = server.get(server.a, "/dicom-web/studies/" + keys.study_uid + "/series/" + keys.series_uid +
                                           "/instances/" + keys.sop_instance_uid);
      ASSERT_TRUE(back);
      ASSERT_EQ(back->status, 200);
      auto parts = multipart_bodies(*back);
      ASSERT_EQ(parts.size(), 1u);
      EXPECT_TRUE(parts[0] == bytes) << "served back byte-identical";
      // Metadata of every stored file is valid DICOM JSON; frames and
      // renderings either work or are refused with a clear 4xx.
      const std::string base = "/dicom-web/studies/" + keys.study_uid + "/series/" + keys.series_uid +
                               "/instances/" + keys.sop_instance_uid;
      auto meta = server.get(server.a, base + "/metadata");
      ASSERT_TRUE(meta);
      ASSERT_EQ(meta->status, 200) << meta->body;
      auto meta_json = json::parse(meta->body, nullptr, false);
      ASSERT_FALSE(meta_json.is_discarded());
      EXPECT_EQ(meta_json[0]["00080018"]["Value"][0], keys.sop_instance_uid);
      // JPEG 2000 files must decode (OpenJPEG): frames and rendered are 200,
      // except the one whose codestream pydicom corrupted on purpose (400).
      const bool jpeg2000 = keys.transfer_syntax_uid == "1.2.840.10008.1.2.4.90" ||
                            keys.transfer_syntax_uid == "1.2.840.10008.1.2.4.91";
      const bool corrupt_jpeg2000 = relative == "JPEG2000-embedded-sequence-delimiter.dcm";
      for (const std::string suffix : {"/frames/1", "/rendered"}) {
        auto r2 = server.get(server.a, base + suffix, suffix == "/rendered" ? "image/png" : "");
        ASSERT_TRUE(r2) << suffix << ": the server must answer";
        if (corrupt_jpeg2000) {
          EXPECT_EQ(r2->status, 400) << suffix << " " << r2->body.substr(0, 200);
          EXPECT_NE(r2->body.find("malformed_jpeg2000"), std::string::npos) << r2->body.substr(0, 300);
        } else if (jpeg2000)
          EXPECT_EQ(r2->status, 200) << suffix << " " << r2->body.substr(0, 200);
        else
          EXPECT_TRUE(r2->status == 200 || (r2->status >= 400 && r2->status < 500) || r2->status == 501)
              << suffix << " " << r2->status << " " << r2->body.substr(0, 200);
      }
      jpeg2000_decoded += jpeg2000 && !corrupt_jpeg2000;
      ++stored;
    } else {
      ASSERT_EQ(r->status, 409) << r->body;
      auto failed = json::parse(r->body)["00081198"]["Value"][0];
      const std::string comment = failed["00000902"]["Value"][0];
      EXPECT_EQ(comment.substr(0, comment.find(':')), expected) << comment;
      EXPECT_TRUE(failed["00081197"]["Value"][0].is_number());
      ++refused;
    }
  }
  auto health = http::testing::fetch(server.process().port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_GT(stored, 100u);
  EXPECT_GT(refused, 20u);
  EXPECT_EQ(jpeg2000_decoded, 6u);  // pydicom's seven J2K files but the corrupt one
}

}  // namespace
}  // namespace medai::testing

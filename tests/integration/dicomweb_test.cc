// DICOMweb against the real server: STOW-RS (multi-instance, partial
// failure, study mismatch), QIDO-RS at every level (matching, paging,
// includefield, Chinese names, tenancy), WADO-RS (byte-identical retrieve,
// transcoding, metadata, frames, bulk data, rendered, thumbnail) and
// durability across kill -9.
#include <gtest/gtest.h>

#include "dicom/parse.h"
#include "dicom/pixels.h"
#include "dicomweb_fixture.h"

namespace medai::testing {
namespace {

using nlohmann::json;

TestInstance ct(int series, int number, const std::string& study = "2.25.100") {
  TestInstance t;
  t.study_uid = study;
  t.series_uid = study + "." + std::to_string(series);
  t.sop_uid = t.series_uid + "." + std::to_string(number);
  t.series_number = series;
  t.instance_number = number;
  t.rows = 16;
  t.columns = 16;
  t.pixel_seed = static_cast<std::uint16_t>(100 * series + number);
  return t;
}

class DicomWebTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new DicomWebServer(*dir_ / "var");
    server_->provision();
    // Study 2.25.100: series 1 (instances 2, 1 sent out of order) and series 2.
    for (auto t : {ct(1, 2), ct(1, 1), ct(2, 1)}) sent_.push_back(make_dicom(t));
    auto r = server_->stow(server_->a, sent_);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  DicomWebServer& s() { return *server_; }
  static TempDir* dir_;
  static DicomWebServer* server_;
  static std::vector<std::string> sent_;
};
TempDir* DicomWebTest::dir_ = nullptr;
DicomWebServer* DicomWebTest::server_ = nullptr;
std::vector<std::string> DicomWebTest::sent_;

TEST_F(DicomWebTest, StowResponseReferencesEveryInstance) {
  auto r = s().stow(s().a, {make_dicom(ct(3, 1))}, "2.25.100");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("Content-Type"), "application/dicom+json");
  auto j = json::parse(r->body);
  ASSERT_EQ(j["00081199"]["Value"].size(), 1u);
  const auto& ref = j["00081199"]["Value"][0];
  EXPECT_EQ(ref["00081155"]["Value"][0], "2.25.100.3.1");
  EXPECT_NE(ref["00081190"]["Value"][0].get<std::string>().find("/dicom-web/studies/2.25.100/series/2.25.100.3/instances/2.25.100.3.1"),
            std::string::npos);
  EXPECT_FALSE(j.contains("00081198"));
}

TEST_F(DicomWebTest, StowPartialFailureIs202AndAllFailedIs409) {
  auto missing = ct(4, 1);
  missing.omit_sop_instance_uid = true;
  auto r = s().stow(s().a, {make_dicom(ct(4, 2)), "not dicom at all", make_dicom(missing)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  auto j = json::parse(r->body);
  EXPECT_EQ(j["00081199"]["Value"].size(), 1u);
  ASSERT_EQ(j["00081198"]["Value"].size(), 2u);
  const auto& f0 = j["00081198"]["Value"][0];
  EXPECT_EQ(f0["00081197"]["Value"][0], 0xC000);
  EXPECT_EQ(f0["00000902"]["Value"][0].get<std::string>().rfind("invalid_dicom:", 0), 0u);
  EXPECT_EQ(j["00081198"]["Value"][1]["00000902"]["Value"][0].get<std::string>().rfind("dicom_missing_attribute:", 0),
            0u);

  // Every instance refused: 409. A study in the path that differs: 0xA900.
  auto wrong_study = s().stow(s().a, {make_dicom(ct(5, 1, "2.25.555"))}, "2.25.100");
  ASSERT_TRUE(wrong_study);
  EXPECT_EQ(wrong_study->status, 409) << wrong_study->body;
  EXPECT_EQ(json::parse(wrong_study->body)["00081198"]["Value"][0]["00081197"]["Value"][0], 0xA900);
  auto q = s().qido(s().a, "/dicom-web/studies?StudyInstanceUID=2.25.555");
  EXPECT_TRUE(q.empty()) << "a refused instance leaves nothing";
}

TEST_F(DicomWebTest, DuplicateWithDifferentBytesIsRefusedSameBytesAccepted) {
  auto same = s().stow(s().a, {sent_[0]});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200);
  auto changed = ct(1, 2);
  changed.pixel_seed = 7777;
  auto r = s().stow(s().a, {make_dicom(changed)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(json::parse(r->body)["00081198"]["Value"][0]["00081197"]["Value"][0], 0x0111);
}

TEST_F(DicomWebTest, StowRefusesOtherMediaTypes) {
  auto r = http::testing::fetch(s().process().port(), "POST", "/dicom-web/studies",
                                "Authorization: Bearer " + s().a.token + "\r\nContent-Type: application/json\r\n", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  auto unauth = http::testing::fetch(s().process().port(), "GET", "/dicom-web/studies");
  ASSERT_TRUE(unauth);
  EXPECT_EQ(unauth->status, 401);
}

TEST_F(DicomWebTest, QidoAtEveryLevel) {
  auto studies = s().qido(s().a, "/dicom-web/studies?StudyInstanceUID=2.25.100");
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0]["00100010"]["Value"][0]["Alphabetic"], "Doe^John");
  EXPECT_GE(studies[0]["00201208"]["Value"][0].get<int>(), 3);

  auto series = s().qido(s().a, "/dicom-web/studies/2.25.100/series");
  ASSERT_GE(series.size(), 2u);
  EXPECT_EQ(series[0]["0020000E"]["Value"][0], "2.25.100.1");
  EXPECT_EQ(series[0]["00201209"]["Value"][0], 2);

  auto instances = s().qido(s().a, "/dicom-web/studies/2.25.100/series/2.25.100.1/instances");
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["00080018"]["Value"][0], "2.25.100.1.1") << "sorted by InstanceNumber";
  EXPECT_EQ(instances[0]["00280010"]["Value"][0], 16);

  EXPECT_GE(s().qido(s().a, "/dicom-web/series?Modality=CT").size(), 2u);
  EXPECT_GE(s().qido(s().a, "/dicom-web/instances?SOPInstanceUID=2.25.100.2.1").size(), 1u);
  EXPECT_GE(s().qido(s().a, "/dicom-web/studies/2.25.100/instances").size(), 3u);
}

TEST_F(DicomWebTest, QidoMatchingPagingAndIncludefield) {
  EXPECT_EQ(s().qido(s().a, "/dicom-web/studies?PatientName=Do*&StudyDate=20240101-20241231").size(), 1u);
  EXPECT_TRUE(s().qido(s().a, "/dicom-web/studies?StudyDate=-20231231").empty());
  EXPECT_EQ(s().qido(s().a, "/dicom-web/studies?PatientName=john&fuzzymatching=true").size(), 1u);
  auto one = s().qido(s().a, "/dicom-web/studies/2.25.100/series/2.25.100.1/instances?limit=1&offset=1");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["00080018"]["Value"][0], "2.25.100.1.2");
  auto inc = s().qido(s().a, "/dicom-web/studies?StudyInstanceUID=2.25.100&includefield=StudyDescription,0008103E");
  EXPECT_EQ(inc[0]["00081030"]["Value"][0], "CT CHEST");
  auto bad = s().get(s().a, "/dicom-web/studies?limit=abc");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"], "invalid_argument");
}

TEST_F(DicomWebTest, QidoOrderBy) {
  auto asc = s().qido(s().a, "/dicom-web/studies/2.25.100/series?orderby=SeriesNumber");
  auto desc = s().qido(s().a, "/dicom-web/studies/2.25.100/series?orderby=%2DSeriesNumber");  // "-" percent-encoded
  ASSERT_GE(asc.size(), 2u);
  ASSERT_EQ(desc.size(), asc.size());
  for (std::size_t i = 0; i + 1 < desc.size(); ++i)
    EXPECT_GE(desc[i]["00200011"]["Value"][0].get<int>(), desc[i + 1]["00200011"]["Value"][0].get<int>());
  EXPECT_EQ(desc.front()["0020000E"], asc.back()["0020000E"]);
  auto paged = s().qido(s().a, "/dicom-web/studies/2.25.100/series?orderby=-SeriesNumber&limit=1&offset=1");
  ASSERT_EQ(paged.size(), 1u);
  EXPECT_EQ(paged[0]["0020000E"], desc[1]["0020000E"]);
  auto ok = s().get(s().a, "/dicom-web/studies?orderby=-PatientName,StudyDate");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->header("Warning"), "") << "orderby is supported, not ignored";
  for (const char* bad_key : {"NoSuchKeyword", "PatientWeight", "SOPInstanceUID"}) {
    auto bad = s().get(s().a, std::string("/dicom-web/studies?orderby=") + bad_key);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << bad_key;
    auto body = json::parse(bad->body);
    EXPECT_EQ(body["error"], "invalid_argument");
    EXPECT_NE(body["message"].get<std::string>().find("orderby"), std::string::npos) << body.dump();
  }
}

TEST_F(DicomWebTest, ChineseJapaneseAndKoreanNamesComeOutAsUtf8) {
  std::vector<std::string> files;
  for (const char* f : {"chrX1.dcm", "chrX2.dcm", "chrH31.dcm", "chrI2.dcm"})
    files.push_back(file_bytes(kPydicomCharsetFiles / f));
  // chrX1 and chrX2 share UIDs but differ: send them as two tenants' data.
  auto r1 = s().stow(s().a, {files[0], files[2], files[3]});
  ASSERT_TRUE(r1);
  ASSERT_EQ(r1->status, 200) << r1->body;
  auto r2 = s().stow(s().b, {files[1]});
  ASSERT_TRUE(r2);
  ASSERT_EQ(r2->status, 200) << r2->body;
  auto wang = s().qido(s().a, "/dicom-web/studies?PatientName=Wang*");
  ASSERT_EQ(wang.size(), 1u);
  EXPECT_EQ(wang[0]["00100010"]["Value"][0]["Ideographic"], "王^小東");
  auto gb = s().qido(s().b, "/dicom-web/studies?PatientName=Wang*");
  ASSERT_EQ(gb.size(), 1u);
  EXPECT_EQ(gb[0]["00100010"]["Value"][0]["Ideographic"], "王^小东");
  auto yamada = s().qido(s().a, "/dicom-web/studies?PatientName=Yamada*");
  ASSERT_EQ(yamada.size(), 1u);
  EXPECT_EQ(yamada[0]["00100010"]["Value"][0]["Ideographic"], "山田^太郎");
  EXPECT_EQ(yamada[0]["00100010"]["Value"][0]["Phonetic"], "やまだ^たろう");
  auto hong = s().qido(s().a, "/dicom-web/studies?PatientName=%E6%B4%AA*");  // 洪*
  ASSERT_EQ(hong.size(), 1u);
  EXPECT_EQ(hong[0]["00100010"]["Value"][0]["Phonetic"], "홍^길동");
}

TEST_F(DicomWebTest, TenancyHidesOtherInstitutionsData) {
  EXPECT_TRUE(s().qido(s().b, "/dicom-web/studies?StudyInstanceUID=2.25.100").empty());
  auto r = s().get(s().b, "/dicom-web/studies/2.25.100");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto admin = s().get({"", s().admin_token}, "/dicom-web/studies?StudyInstanceUID=2.25.100");
  ASSERT_TRUE(admin);
  EXPECT_EQ(json::parse(admin->body).size(), 1u) << "the platform admin sees every institution";
}

TEST_F(DicomWebTest, WadoRetrieveIsByteIdenticalAndOrdered) {
  auto r = s().get(s().a, "/dicom-web/studies/2.25.100/series/2.25.100.1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->header("Content-Type").find("multipart/related; type=\"application/dicom\""), std::string::npos);
  auto parts = multipart_bodies(*r);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], sent_[1]) << "instance 1 first";
  EXPECT_EQ(parts[1], sent_[0]);
  auto one = s().get(s().a, "/dicom-web/studies/2.25.100/series/2.25.100.2/instances/2.25.100.2.1",
                     "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(multipart_bodies(*one), std::vector<std::string>{sent_[2]});
  auto missing = s().get(s().a, "/dicom-web/studies/2.25.100/series/2.25.100.9");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto not_acceptable = s().get(s().a, "/dicom-web/studies/2.25.100", "application/zip");
  ASSERT_TRUE(not_acceptable);
  EXPECT_EQ(not_acceptable->status, 406);
}

TEST_F(DicomWebTest, WadoTranscodesOnRequestAnd406WhenImpossible) {
  auto jls = file_bytes(kPydicomTestFiles / "MR_small_jpeg_ls_lossless.dcm");
  auto parsed = dicom::parse_dicom(jls);
  ASSERT_TRUE(parsed);
  const auto keys = parsed->keys();
  auto stored = s().stow(s().b, {jls});
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 200) << stored->body;
  const std::string url =
      "/dicom-web/studies/" + keys.study_uid + "/series/" + keys.series_uid + "/instances/" + keys.sop_instance_uid;
  auto r = s().get(s().b, url, "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto parts = multipart_bodies(*r);
  ASSERT_EQ(parts.size(), 1u);
  auto decoded = dicom::parse_dicom(parts[0]);
  ASSERT_TRUE(decoded) << decoded.status().to_string();
  EXPECT_EQ(decoded->keys().transfer_syntax_uid, "1.2.840.10008.1.2.1");
  EXPECT_EQ(decoded->keys().sop_instance_uid, keys.sop_instance_uid);

  // JPEG 2000 (lossy) is decoded with OpenJPEG for an uncompressed request.
  auto j2k = file_bytes(kPydicomTestFiles / "JPEG2000.dcm");
  auto j2k_parsed = dicom::parse_dicom(j2k);
  ASSERT_TRUE(j2k_parsed);
  ASSERT_EQ(s().stow(s().b, {j2k})->status, 200);
  const auto& k = j2k_parsed->keys();
  auto j2k_url = "/dicom-web/studies/" + k.study_uid + "/series/" + k.series_uid + "/instances/" + k.sop_instance_uid;
  auto decoded_j2k = s().get(s().b, j2k_url,
                             "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1");
  ASSERT_TRUE(decoded_j2k);
  ASSERT_EQ(decoded_j2k->status, 200) << decoded_j2k->body.substr(0, 300);
  auto j2k_parts = multipart_bodies(*decoded_j2k);
  ASSERT_EQ(j2k_parts.size(), 1u);
  auto native = dicom::parse_dicom(j2k_parts[0]);
  ASSERT_TRUE(native) << native.status().to_string();
  EXPECT_EQ(native->keys().transfer_syntax_uid, "1.2.840.10008.1.2.1");
  auto px = dicom::extract_frames(*native, {1});
  ASSERT_TRUE(px) << px.status().to_string();
  ASSERT_EQ(px->front().size(), 1024u * 256u * 2u);
  double sum = 0;
  for (std::size_t i = 0; i < px->front().size(); i += 2)
    sum += static_cast<std::int16_t>(static_cast<std::uint8_t>(px->front()[i]) |
                                     (static_cast<std::uint8_t>(px->front()[i + 1]) << 8));
  EXPECT_NEAR(sum / (1024 * 256), 13.458160, 0.01) << "mean of pydicom's decoded array";

  // No encoders: compressing on request is refused.
  auto refused = s().get(s().b, url, "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.90");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 406);
  EXPECT_EQ(json::parse(refused->body)["error"], "not_acceptable");
}

// JPEG 2000 lossless: WADO-RS frames give exactly the uncompressed twin's
// pixels; rendered and thumbnail work; the same for a YBR_RCT colour image.
TEST_F(DicomWebTest, Jpeg2000FramesRenderedAndThumbnail) {
  auto bytes = file_bytes(kPydicomTestFiles / "MR_small_jp2klossless.dcm");
  auto k = dicom::parse_dicom(bytes)->keys();
  auto stored = s().stow(s().a, {bytes});
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 200) << stored->body;
  const std::string base = "/dicom-web/studies/" + k.study_uid + "/series/" + k.series_uid + "/instances/" +
                           k.sop_instance_uid;
  auto r = s().get(s().a, base + "/frames/1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto frames = multipart_bodies(*r);
  ASSERT_EQ(frames.size(), 1u);
  auto uncompressed = dicom::parse_dicom(file_bytes(kPydicomTestFiles / "MR_small.dcm"));
  ASSERT_TRUE(uncompressed);
  auto expected = dicom::extract_frames(*uncompressed, {1});
  ASSERT_TRUE(expected);
  EXPECT_TRUE(expected->front() == frames[0]) << "lossless J2K must give the uncompressed pixels exactly";
  auto png = s().get(s().a, base + "/rendered", "image/png");
  ASSERT_TRUE(png);
  ASSERT_EQ(png->status, 200) << png->body;
  EXPECT_EQ(png->body.substr(1, 3), "PNG");
  auto thumb = s().get(s().a, "/dicom-web/studies/" + k.study_uid + "/thumbnail");
  ASSERT_TRUE(thumb);
  EXPECT_EQ(thumb->status, 200);

  auto colour = file_bytes(kPydicomTestFiles / "GDCMJ2K_TextGBR.dcm");
  auto ck = dicom::parse_dicom(colour)->keys();
  ASSERT_EQ(s().stow(s().a, {colour})->status, 200);
  const std::string cbase = "/dicom-web/studies/" + ck.study_uid + "/series/" + ck.series_uid + "/instances/" +
                            ck.sop_instance_uid;
  auto cf = s().get(s().a, cbase + "/frames/1");
  ASSERT_TRUE(cf);
  ASSERT_EQ(cf->status, 200) << cf->body;
  auto cframes = multipart_bodies(*cf);
  ASSERT_EQ(cframes.size(), 1u);
  ASSERT_EQ(cframes[0].size(), 400u * 400u * 3u);
  const std::size_t red = (46 * 400 + 140) * 3;  // pydicom's reference: (255, 0, 0)
  EXPECT_EQ(static_cast<std::uint8_t>(cframes[0][red]), 255);
  EXPECT_EQ(static_cast<std::uint8_t>(cframes[0][red + 1]), 0);
  EXPECT_EQ(static_cast<std::uint8_t>(cframes[0][red + 2]), 0);
  auto cjpeg = s().get(s().a, cbase + "/rendered", "image/jpeg");
  ASSERT_TRUE(cjpeg);
  EXPECT_EQ(cjpeg->status, 200);
}

TEST_F(DicomWebTest, MetadataFramesBulkDataRendered) {
  const std::string base = "/dicom-web/studies/2.25.100/series/2.25.100.1/instances/2.25.100.1.1";
  auto meta = s().qido(s().a, base + "/metadata");
  ASSERT_EQ(meta.size(), 1u);
  EXPECT_EQ(meta[0]["00100010"]["Value"][0]["Alphabetic"], "Doe^John");
  EXPECT_EQ(meta[0]["00280010"]["Value"][0], 16);
  const std::string bulk = meta[0]["7FE00010"]["BulkDataURI"];
  EXPECT_NE(bulk.find(base + "/bulkdata/7FE00010"), std::string::npos);
  EXPECT_GE(s().qido(s().a, "/dicom-web/studies/2.25.100/metadata").size(), 3u);

  // Frame 1 = the pixel values written: seed 101 + i, little endian.
  std::string expected;
  for (int i = 0; i < 256; ++i) {
    const auto v = static_cast<std::uint16_t>(101 + i);
    expected.push_back(static_cast<char>(v & 0xff));
    expected.push_back(static_cast<char>(v >> 8));
  }
  auto frame = s().get(s().a, base + "/frames/1");
  ASSERT_TRUE(frame);
  ASSERT_EQ(frame->status, 200) << frame->body;
  EXPECT_EQ(multipart_bodies(*frame), std::vector<std::string>{expected});
  auto bulkdata = s().get(s().a, base + "/bulkdata/7FE00010");
  ASSERT_TRUE(bulkdata);
  EXPECT_EQ(multipart_bodies(*bulkdata), std::vector<std::string>{expected});
  auto no_frame = s().get(s().a, base + "/frames/2");
  ASSERT_TRUE(no_frame);
  EXPECT_EQ(no_frame->status, 404);

  auto png = s().get(s().a, base + "/rendered?window=200,300,linear", "image/png");
  ASSERT_TRUE(png);
  ASSERT_EQ(png->status, 200) << png->body;
  EXPECT_EQ(png->header("Content-Type"), "image/png");
  EXPECT_EQ(png->body.substr(1, 3), "PNG");
  auto jpeg = s().get(s().a, "/dicom-web/studies/2.25.100/thumbnail");
  ASSERT_TRUE(jpeg);
  ASSERT_EQ(jpeg->status, 200);
  EXPECT_EQ(jpeg->body.substr(0, 2), "\xFF\xD8");
  auto bad_window = s().get(s().a, base + "/rendered?window=abc", "image/png");
  ASSERT_TRUE(bad_window);
  EXPECT_EQ(bad_window->status, 400);
}

TEST_F(DicomWebTest, DecompressedFramesOfJpegLossless) {
  auto bytes = file_bytes(kPydicomTestFiles / "MR_small_jpeg_ls_lossless.dcm");
  auto raw = file_bytes(kPydicomTestFiles / "MR_small.dcm");
  auto k = dicom::parse_dicom(bytes)->keys();
  s().stow(s().b, {bytes});
  auto r = s().get(s().b, "/dicom-web/studies/" + k.study_uid + "/series/" + k.series_uid + "/instances/" +
                              k.sop_instance_uid + "/frames/1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto frames = multipart_bodies(*r);
  ASSERT_EQ(frames.size(), 1u);
  // MR_small is 64x64 16-bit: lossless decoding gives the uncompressed file's pixels.
  ASSERT_EQ(frames[0].size(), 64u * 64u * 2u);
  auto uncompressed = dicom::parse_dicom(raw);
  ASSERT_TRUE(uncompressed);
  auto expected = dicom::extract_frames(*uncompressed, {1});
  ASSERT_TRUE(expected);
  EXPECT_TRUE(expected->front() == frames[0]) << "decoded pixels differ from the uncompressed original";
}

TEST_F(DicomWebTest, NoPatientDataInTheLog) {
  // Ingest, duplicates, failures and retrieves above all log: never a name or ID.
  const std::string log = s().process().log_text();
  EXPECT_FALSE(log.empty());
  for (const char* phi : {"Doe^John", "PID-1", "19700101", "ACC1", "王", "Yamada"})
    EXPECT_EQ(log.find(phi), std::string::npos) << phi;
}

// kill -9 right after STOW answered 200: the instance is there after restart.
TEST(DicomWebDurabilityTest, AcknowledgedInstanceSurvivesKill9) {
  TempDir dir;
  std::string bytes = make_dicom(ct(1, 1, "2.25.777"));
  std::string token;
  {
    DicomWebServer server(dir / "var");
    server.provision();
    auto r = server.stow(server.a, {bytes});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    server.process().kill_hard();
    token = server.a.token;
  }
  ServerProcess again(dir / "var");
  ASSERT_TRUE(again.running()) << again.log_text();
  auto r = http::testing::fetch(again.port(), "GET", "/dicom-web/studies/2.25.777",
                                "Authorization: Bearer " + token + "\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(multipart_bodies(*r), std::vector<std::string>{bytes});
}

}  // namespace
}  // namespace medai::testing

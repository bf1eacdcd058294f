// Portal upload: single file, multipart/form-data, zip of a study (with a
// non-DICOM file inside), and a zip bomb that is refused.
#include <gtest/gtest.h>

#include <cstdlib>

#include "dicomweb_fixture.h"

namespace medai::testing {
namespace {

using nlohmann::json;

TestInstance instance(int n) {
  TestInstance t;
  t.study_uid = "2.25.4242";
  t.series_uid = "2.25.4242.1";
  t.sop_uid = "2.25.4242.1." + std::to_string(n);
  t.instance_number = n;
  t.pixel_seed = static_cast<std::uint16_t>(n);
  return t;
}

std::optional<http::testing::RawResponse> post(DicomWebServer& s, const std::string& content_type,
                                               const std::string& body) {
  return http::testing::fetch(s.process().port(), "POST", "/api/v1/uploads",
                              "Authorization: Bearer " + s.a.token + "\r\nContent-Type: " + content_type + "\r\n",
                              body);
}

// Writes files into a zip with Python's zipfile (deflate).
std::string make_zip(const TempDir& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::string script = "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\n";
  int i = 0;
  for (const auto& [name, bytes] : files) {
    const auto p = dir / ("entry" + std::to_string(i++));
    std::ofstream(p, std::ios::binary) << bytes;
    script += "z.write('" + p.string() + "','" + name + "')\n";
  }
  script += "z.close()\n";
  std::ofstream(dir / "zip.py") << script;
  const auto zip = dir / "out.zip";
  EXPECT_EQ(std::system(("/usr/bin/python3 " + (dir / "zip.py").string() + " " + zip.string()).c_str()), 0);
  return file_bytes(zip);
}

TEST(UploadTest, SingleFileFormDataAndZipOfAStudy) {
  TempDir dir;
  DicomWebServer s(dir / "var");
  s.provision();

  auto single = post(s, "application/dicom", make_dicom(instance(1)));
  ASSERT_TRUE(single);
  ASSERT_EQ(single->status, 200) << single->body;
  EXPECT_EQ(json::parse(single->body)["items"][0]["outcome"], "stored");

  const std::string boundary = "form-7b1";
  std::string form = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.dcm\"\r\n"
                     "Content-Type: application/dicom\r\n\r\n" +
                     make_dicom(instance(2)) + "\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\r\nnot dicom\r\n--" +
                     boundary + "--\r\n";
  auto multi = post(s, "multipart/form-data; boundary=" + boundary, form);
  ASSERT_TRUE(multi);
  ASSERT_EQ(multi->status, 207) << multi->body;
  auto mj = json::parse(multi->body);
  ASSERT_EQ(mj["items"].size(), 2u);
  EXPECT_EQ(mj["stored"], 1);
  EXPECT_EQ(mj["items"][1]["name"], "notes.txt");
  EXPECT_EQ(mj["items"][1]["error"], "invalid_dicom");

  const std::string zip = make_zip(dir, {{"study/IM1", make_dicom(instance(3))},
                                         {"study/IM2", make_dicom(instance(4))},
                                         {"study/IM1-again", make_dicom(instance(3))},
                                         {"README.txt", "read me"}});
  auto zipped = post(s, "application/zip", zip);
  ASSERT_TRUE(zipped);
  ASSERT_EQ(zipped->status, 207) << zipped->body;
  auto zj = json::parse(zipped->body);
  ASSERT_EQ(zj["items"].size(), 4u);
  EXPECT_EQ(zj["items"][2]["outcome"], "already_present");
  EXPECT_EQ(zj["items"][3]["error"], "invalid_dicom");

  auto study = s.qido(s.a, "/dicom-web/studies/2.25.4242/series/2.25.4242.1/instances");
  EXPECT_EQ(study.size(), 4u);
}

TEST(UploadTest, ZipBombAndGarbageAreRefusedCleanly) {
  TempDir dir;
  DicomWebServer s(dir / "var");
  s.provision();
  const std::string bomb = make_zip(dir, {{"zeros.dcm", std::string(300u << 20, '\0')}});
  ASSERT_LT(bomb.size(), 2u << 20);
  auto r = post(s, "application/zip", bomb);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"], "payload_too_large");
  auto garbage = post(s, "application/zip", "PK\x03\x04 not really a zip");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  EXPECT_TRUE(s.qido(s.a, "/dicom-web/studies").empty()) << "nothing left behind";
}

}  // namespace
}  // namespace medai::testing

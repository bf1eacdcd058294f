// multipart/related parsing of untrusted bodies and media-type parameters.
#include "http/multipart.h"

#include <gtest/gtest.h>

namespace medai::http {
namespace {

TEST(MultipartTest, SplitsPartsWithHeadersAndBinaryBodies) {
  const std::string binary("\0\r\n--x\r\n\xff", 9);  // looks like a boundary but is not "\r\n--b"
  const std::string body = "preamble\r\n--b\r\nContent-Type: application/dicom\r\n\r\n" + binary +
                           "\r\n--b\r\n\r\nno headers\r\n--b--\r\nepilogue";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts) << parts.status().to_string();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].headers.find("content-type")->second, "application/dicom");
  EXPECT_EQ((*parts)[0].body, binary);
  EXPECT_TRUE((*parts)[1].headers.empty());
  EXPECT_EQ((*parts)[1].body, "no headers");
}

TEST(MultipartTest, MalformedBodiesAreRefused) {
  for (const std::string& body : {std::string(""), std::string("--b\r\n\r\nnever closed"), std::string("junk"),
                                 std::string("--bX\r\n\r\nx\r\n--b--"), std::string("--b\r\nHeader-without-end")}) {
    auto parts = parse_multipart(body, "b");
    ASSERT_FALSE(parts) << body;
    EXPECT_EQ(parts.status().code(), ErrorCode::invalid_argument);
  }
  EXPECT_FALSE(parse_multipart("--\r\n", ""));
}

TEST(MultipartTest, MediaTypeAndAcceptParameters) {
  auto m = parse_media_type("Multipart/Related; type=\"application/dicom\"; boundary=abc; transfer-syntax=*");
  EXPECT_EQ(m.type, "multipart/related");
  EXPECT_EQ(m.param("type"), "application/dicom");
  EXPECT_EQ(m.param("boundary"), "abc");
  EXPECT_EQ(m.param("transfer-syntax"), "*");
  auto accept = parse_accept("multipart/related; type=\"application/dicom\", image/png;q=0.5, */*");
  ASSERT_EQ(accept.size(), 3u);
  EXPECT_EQ(accept[1].type, "image/png");
  EXPECT_EQ(accept[2].type, "*/*");
  // A quoted comma does not split the list.
  auto quoted = parse_accept("a/b; x=\"1,2\", c/d");
  ASSERT_EQ(quoted.size(), 2u);
  EXPECT_EQ(quoted[0].param("x"), "1,2");
}

}  // namespace
}  // namespace medai::http

// The DICOM JSON model (PS3.18 F.2) for whole data sets.
#include <gtest/gtest.h>

#include "dicom/dicom_json.h"
#include "dicom/parse.h"
#include "support/dicom_fixture.h"

namespace medai::dicom {
namespace {

using medai::testing::file_bytes;
using medai::testing::kPydicomTestFiles;

TEST(DicomJsonTest, CtSmallHasTypedValuesAndBulkDataUri) {
  auto p = parse_dicom(file_bytes(kPydicomTestFiles / "CT_small.dcm"));
  ASSERT_TRUE(p);
  JsonOptions o;
  o.bulk_data_base = "http://h/dicom-web/studies/1/series/2/instances/3";
  auto j = dataset_to_json(p->dataset(), o);
  EXPECT_EQ(j["00280010"]["vr"], "US");
  EXPECT_EQ(j["00280010"]["Value"][0], 128);  // Rows: a number, not a string
  EXPECT_EQ(j["00100010"]["vr"], "PN");
  EXPECT_TRUE(j["00100010"]["Value"][0].contains("Alphabetic"));
  EXPECT_EQ(j["7FE00010"]["BulkDataURI"], o.bulk_data_base + "/bulkdata/7FE00010");
  EXPECT_FALSE(j["7FE00010"].contains("Value"));
  // DS values are JSON numbers.
  ASSERT_TRUE(j.contains("00280030"));
  EXPECT_TRUE(j["00280030"]["Value"][0].is_number());
  // IS values too.
  EXPECT_TRUE(j["00200013"]["Value"][0].is_number_integer());
  // Group lengths are left out.
  for (auto& [key, value] : j.items()) EXPECT_NE(key.substr(4), "0000") << key;
}

TEST(DicomJsonTest, SequencesAreRecursive) {
  auto p = parse_dicom(file_bytes(kPydicomTestFiles / "rtplan.dcm"));
  ASSERT_TRUE(p) << p.status().to_string();
  auto j = dataset_to_json(p->dataset());
  // Beam Sequence (300A,00B0) with items holding their own attributes.
  ASSERT_TRUE(j.contains("300A00B0"));
  EXPECT_EQ(j["300A00B0"]["vr"], "SQ");
  ASSERT_FALSE(j["300A00B0"]["Value"].empty());
  EXPECT_TRUE(j["300A00B0"]["Value"][0].is_object());
  EXPECT_TRUE(j["300A00B0"]["Value"][0].contains("300A00C0"));  // Beam Number
}

TEST(DicomJsonTest, TagKeys) {
  EXPECT_EQ(tag_key(0x0020000D), "0020000D");
  EXPECT_EQ(parse_tag_key("7fe00010"), 0x7FE00010u);
  EXPECT_FALSE(parse_tag_key("7fe0001"));
  EXPECT_FALSE(parse_tag_key("7fe0001g"));
}

TEST(DicomJsonTest, PersonNameGroups) {
  auto v = person_name_value("Yamada^Tarou=山田^太郎=やまだ^たろう");
  EXPECT_EQ(v["Alphabetic"], "Yamada^Tarou");
  EXPECT_EQ(v["Ideographic"], "山田^太郎");
  EXPECT_EQ(v["Phonetic"], "やまだ^たろう");
  auto only_ideographic = person_name_value("=王^小東");
  EXPECT_FALSE(only_ideographic.contains("Alphabetic"));
  EXPECT_EQ(only_ideographic["Ideographic"], "王^小東");
}

}  // namespace
}  // namespace medai::dicom

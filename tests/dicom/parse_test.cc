// Parsing untrusted bytes: refused with a stable code and a reason without
// patient data; good files give their keys.
#include <gtest/gtest.h>

#include "dicom/parse.h"
#include "support/dicom_fixture.h"

namespace medai::dicom {
namespace {

using medai::testing::file_bytes;
using medai::testing::kPydicomTestFiles;
using medai::testing::make_dicom;
using medai::testing::TestInstance;

TEST(ParseTest, ReadsKeysOfARealCtFile) {
  auto p = parse_dicom(file_bytes(kPydicomTestFiles / "CT_small.dcm"));
  ASSERT_TRUE(p) << p.status().to_string();
  EXPECT_EQ(p->keys().sop_class_uid, "1.2.840.10008.5.1.4.1.1.2");
  EXPECT_EQ(p->keys().transfer_syntax_uid, "1.2.840.10008.1.2.1");
  EXPECT_FALSE(p->keys().study_uid.empty());
  EXPECT_FALSE(p->keys().series_uid.empty());
  EXPECT_FALSE(p->keys().sop_instance_uid.empty());
}

TEST(ParseTest, GarbageEmptyAndNoPreambleAreInvalidDicom) {
  for (std::string bytes : {std::string(), std::string("hello"), std::string(5000, 'x'),
                            file_bytes(kPydicomTestFiles / "no_meta.dcm")}) {
    auto p = parse_dicom(bytes);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.status().code(), ErrorCode::invalid_dicom);
  }
}

TEST(ParseTest, TruncatedFilesAreRefused) {
  const std::string full = make_dicom(TestInstance{.rows = 64, .columns = 64});
  for (std::size_t cut : {std::size_t(140), std::size_t(300), full.size() / 2, full.size() - 1}) {
    auto p = parse_dicom(std::string_view(full).substr(0, cut));
    ASSERT_FALSE(p) << "cut at " << cut;
    EXPECT_EQ(p.status().code(), ErrorCode::invalid_dicom) << cut;
  }
}

TEST(ParseTest, EveryPrefixOfAFileIsHandledWithoutCrashing) {
  const std::string full = make_dicom(TestInstance{});
  for (std::size_t cut = 0; cut < full.size(); cut += 7) (void)parse_dicom(std::string_view(full).substr(0, cut));
  // Random byte flips in the data set must not crash either.
  std::string bytes = full;
  for (std::size_t i = 132; i < bytes.size(); i += 13) {
    std::string mutated = bytes;
    mutated[i] = static_cast<char>(mutated[i] ^ 0x5A);
    (void)parse_dicom(mutated);
  }
}

TEST(ParseTest, MissingSopInstanceUidIsNamedWithoutValues) {
  TestInstance t;
  t.omit_sop_instance_uid = true;
  t.patient_name = "Secret^Patient";
  auto p = parse_dicom(make_dicom(t));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.status().code(), ErrorCode::dicom_missing_attribute);
  EXPECT_NE(p.status().message().find("SOPInstanceUID"), std::string::npos);
  EXPECT_EQ(p.status().to_string().find("Secret"), std::string::npos);
}

TEST(ParseTest, MalformedUidIsInvalid) {
  TestInstance t;
  t.study_uid = "1.2.abc";
  auto p = parse_dicom(make_dicom(t));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.status().code(), ErrorCode::invalid_dicom);
  EXPECT_NE(p.status().message().find("StudyInstanceUID"), std::string::npos);
}

TEST(ParseTest, DicomdirIsNotAnInstance) {
  auto p = parse_dicom(file_bytes(kPydicomTestFiles / "dicomdirtests" / "DICOMDIR"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.status().code(), ErrorCode::unsupported_sop_class);
}

TEST(ParseTest, UidSyntax) {
  EXPECT_TRUE(is_valid_uid("1.2.840.10008.1.2"));
  EXPECT_TRUE(is_valid_uid("0.1"));
  EXPECT_FALSE(is_valid_uid(""));
  EXPECT_FALSE(is_valid_uid("1..2"));
  EXPECT_FALSE(is_valid_uid("1.02"));
  EXPECT_FALSE(is_valid_uid("1.2."));
  EXPECT_FALSE(is_valid_uid(std::string(65, '1')));
  EXPECT_FALSE(is_valid_uid("1.2'; DROP TABLE"));
}

}  // namespace
}  // namespace medai::dicom

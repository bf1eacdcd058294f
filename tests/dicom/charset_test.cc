// Names come out as correct UTF-8 whatever the Specific Character Set: the
// pydicom character-set files (Chinese, Japanese, Korean, Latin, Cyrillic,
// Greek, Arabic, Hebrew) through parse + index extraction, and DICOM JSON.
#include <gtest/gtest.h>

#include "dicom/charset.h"
#include "dicom/dicom_json.h"
#include "dicom/index_attributes.h"
#include "dicom/iso2022.h"
#include "dicom/parse.h"
#include "support/dicom_fixture.h"

namespace medai::dicom {
namespace {

using medai::testing::file_bytes;
using medai::testing::kPydicomCharsetFiles;

struct CharsetCase {
  const char* file;
  const char* patient_name;
};

class CharsetFiles : public ::testing::TestWithParam<CharsetCase> {};

TEST_P(CharsetFiles, PatientNameIsUtf8) {
  const auto& c = GetParam();
  auto p = parse_dicom(file_bytes(kPydicomCharsetFiles / c.file));
  ASSERT_TRUE(p) << p.status().to_string();
  const IndexAttributes a = extract_index_attributes(*p);
  EXPECT_EQ(a.patient_name, c.patient_name);
  EXPECT_TRUE(is_valid_utf8(a.patient_name));
}

INSTANTIATE_TEST_SUITE_P(
    Pydicom, CharsetFiles,
    ::testing::Values(CharsetCase{"chrX1.dcm", "Wang^XiaoDong=王^小東"},          // ISO_IR 192
                      CharsetCase{"chrX2.dcm", "Wang^XiaoDong=王^小东"},          // GB18030
                      CharsetCase{"chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"},  // ISO 2022 IR 87
                      CharsetCase{"chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"},      // IR 13 + IR 87
                      CharsetCase{"chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동"},   // ISO 2022 IR 149
                      CharsetCase{"chrKoreanMulti.dcm", "김희중"},
                      CharsetCase{"chrJapMulti.dcm", "やまだ^たろう"},
                      CharsetCase{"chrFren.dcm", "Buc^Jérôme"},                    // ISO_IR 100
                      CharsetCase{"chrGerm.dcm", "Äneas^Rüdiger"},
                      CharsetCase{"chrGreek.dcm", "Διονυσιος"},                   // ISO_IR 126
                      CharsetCase{"chrRuss.dcm", "Люкceмбypг"},                    // ISO_IR 144
                      CharsetCase{"chrArab.dcm", "قباني^لنزار"},                   // ISO_IR 127
                      CharsetCase{"chrHbrw.dcm", "שרון^דבורה"}));                  // ISO_IR 138

TEST(CharsetTest, ChineseNameInDicomJsonHasIdeographicGroup) {
  auto p = parse_dicom(file_bytes(kPydicomCharsetFiles / "chrX2.dcm"));
  ASSERT_TRUE(p);
  auto j = dataset_to_json(p->dataset());
  const auto& pn = j["00100010"]["Value"][0];
  EXPECT_EQ(pn["Alphabetic"], "Wang^XiaoDong");
  EXPECT_EQ(pn["Ideographic"], "王^小东");
  EXPECT_EQ(j["00080005"]["Value"][0], "ISO_IR 192");
}

TEST(CharsetTest, UndeclaredGb18030IsDetected) {
  // Chinese systems often send GB18030/GBK bytes without (0008,0005).
  medai::testing::TestInstance t;
  t.patient_name = "\xCD\xF5^\xD0\xA1\xB6\xAB";  // 王^小东 in GB18030
  auto p = parse_dicom(medai::testing::make_dicom(t));
  ASSERT_TRUE(p);
  EXPECT_EQ(extract_index_attributes(*p).patient_name, "王^小东");
}

TEST(CharsetTest, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(sanitize_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_TRUE(is_valid_utf8("王"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // overlong '/'
}

TEST(CharsetTest, PersonNameNormalisationForFuzzyMatching) {
  EXPECT_EQ(normalize_person_name("Wang^XiaoDong=王^小東"), " WANG XIAODONG 王 小東 ");
  EXPECT_EQ(normalize_person_name(""), " ");
}

}  // namespace
}  // namespace medai::dicom

namespace medai::dicom {
namespace {
TEST(Iso2022Test, JapaneseKanjiAndKatakana) {
  std::string out;
  ASSERT_TRUE(iso2022_to_utf8("\\ISO 2022 IR 87", "Yamada^Tarou=\x1B$B;3ED\x1B(B^\x1B$BB@O:\x1B(B", true, out));
  EXPECT_EQ(out, "Yamada^Tarou=山田^太郎");
  ASSERT_TRUE(iso2022_to_utf8("ISO 2022 IR 13\\ISO 2022 IR 87", "\xD4\xCF\xC0\xDE", true, out));
  EXPECT_EQ(out, "ﾔﾏﾀﾞ");
  // Chinese GB2312 as a G1 set (ISO 2022 IR 58).
  ASSERT_TRUE(iso2022_to_utf8("\\ISO 2022 IR 58", "Wang^XiaoDong=\x1B$)A\xCD\xF5^\x1B$)A\xD0\xA1\xB6\xAB", true, out));
  EXPECT_EQ(out, "Wang^XiaoDong=王^小东");
}
}  // namespace
}  // namespace medai::dicom

namespace medai::dicom {
namespace {
TEST(Iso2022Test, CaretInsideKanjiIsNotADelimiter) {
  std::string out;
  ASSERT_TRUE(iso2022_to_utf8("\\ISO 2022 IR 87", "\x1B$B$d$^$@\x1B(B^X", true, out));
  EXPECT_EQ(out, "やまだ^X");
}
}  // namespace
}  // namespace medai::dicom

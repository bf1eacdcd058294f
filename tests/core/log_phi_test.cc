#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/log.h"
#include "core/phi.h"
#include "support/temp_dir.h"

namespace medai {
namespace {

TEST(Phi, RecognisesPatientFieldsWhateverTheSpelling) {
  for (const char* k : {"patient_name", "PatientName", "patientID", "PatientBirthDate", "birth_date",
                        "AccessionNumber", "mrn", "OtherPatientIDs"})
    EXPECT_TRUE(phi::is_phi_field(k)) << k;
  for (const char* k : {"study_uid", "institution", "route", "status", "username", "modality"})
    EXPECT_FALSE(phi::is_phi_field(k)) << k;
}

TEST(Phi, MaskIsStableKeyedAndNotTheValue) {
  phi::set_mask_key("key-one");
  const std::string a = phi::mask("Zhang^San");
  EXPECT_EQ(a, phi::mask("Zhang^San"));
  EXPECT_NE(a, phi::mask("Li^Si"));
  EXPECT_EQ(a.rfind("phi:", 0), 0u);
  EXPECT_EQ(a.find("Zhang"), std::string::npos);
  phi::set_mask_key("key-two");
  EXPECT_NE(a, phi::mask("Zhang^San")) << "the mask must depend on the installation key";
  EXPECT_EQ(phi::mask(""), "");
}

TEST(Log, LineIsJsonAndNeverContainsPatientIdentifiers) {
  const std::string name = "\xE5\xBC\xA0\xE4\xB8\x89";  // 张三
  auto line = log::format_line(log::Level::warn, "dicom.stored",
                               {{"PatientName", name},
                                {"patient_id", "MRN-0042"},
                                {"nested", {{"PatientBirthDate", "19500101"}, {"series", 3}}},
                                {"list", {{{"AccessionNumber", "ACC991"}}}},
                                {"study_uid", "1.2.3"}});
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["event"], "dicom.stored");
  EXPECT_TRUE(j.contains("ts"));
  EXPECT_EQ(j["study_uid"], "1.2.3");
  EXPECT_EQ(j["nested"]["series"], 3);
  for (const std::string secret : {name, std::string("MRN-0042"), std::string("19500101"), std::string("ACC991")})
    EXPECT_EQ(line.find(secret), std::string::npos) << "leaked " << secret << " in " << line;
  EXPECT_EQ(j["PatientName"], phi::mask(name));
}

TEST(Log, InvalidUtf8DoesNotThrow) {
  EXPECT_NO_THROW(log::format_line(log::Level::info, "x", {{"detail", std::string("\xff\xfe bad")}}));
}

TEST(Log, WritesToFileAndHonoursLevel) {
  testing::TempDir dir;
  log::init({log::Level::info, dir / "medai.log", false});
  log::debug("hidden.event");
  log::info("shown.event", {{"patient_name", "Doe^John"}});
  log::init({log::Level::info, {}, true});  // release the file
  std::ifstream in(dir / "medai.log");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().find("hidden.event"), std::string::npos);
  EXPECT_NE(ss.str().find("shown.event"), std::string::npos);
  EXPECT_EQ(ss.str().find("Doe^John"), std::string::npos);
}

}  // namespace
}  // namespace medai

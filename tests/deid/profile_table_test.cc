// Table E.1-1, attribute by attribute: for every row, a dataset holding that
// attribute goes through the profile under every option combination, and the
// action the standard prescribes must be visible in the result.
#include "deid/profile_table.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrat.h>
#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "deid/deidentifier.h"

namespace medai::deid {
namespace {

const std::string kSecret(64, 'a');
constexpr const char* kNestedUid = "1.2.3.4.5.6.7.8.10";

struct Sample {
  DcmEVR vr;
  std::string text;  // value as written (strings) or empty for SQ/binary
};

Sample sample_for(DcmEVR vr) {
  switch (vr) {
    case EVR_AE:
      return {vr, "SECRETAE"};
    case EVR_AS:
      return {vr, "045Y"};
    case EVR_CS:
      return {vr, "SECRETCS"};
    case EVR_DA:
      return {vr, "20200315"};
    case EVR_DT:
      return {vr, "20200315101112"};
    case EVR_TM:
      return {vr, "101112"};
    case EVR_DS:
      return {vr, "12.5"};
    case EVR_IS:
      return {vr, "42"};
    case EVR_LO:
    case EVR_UC:
      return {vr, "SECRET LO 1234567"};
    case EVR_LT:
    case EVR_ST:
    case EVR_UT:
      return {vr, "SECRET TEXT 1234567"};
    case EVR_PN:
      return {vr, "Secret^Person"};
    case EVR_SH:
      return {vr, "SECRETSH"};
    case EVR_UI:
      return {vr, "1.2.3.4.5.6.7.8.9"};
    case EVR_UR:
      return {vr, "http://secret.example"};
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
    case EVR_FL:
    case EVR_FD:
      return {vr, "7"};
    default:
      return {vr, ""};
  }
}

// Puts the attribute into `ds` with a recognisable value.
void put_attribute(DcmItem& ds, const DcmTag& tag) {
  const DcmEVR vr = tag.getEVR();
  if (vr == EVR_SQ) {
    DcmItem* item = nullptr;
    ASSERT_TRUE(ds.findOrCreateSequenceItem(tag, item, -2).good());
    item->putAndInsertString(DCM_ReferencedSOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
    item->putAndInsertString(DCM_ReferencedSOPInstanceUID, kNestedUid);
    return;
  }
  const Sample s = sample_for(vr);
  if (!s.text.empty()) {
    ASSERT_TRUE(ds.putAndInsertString(tag, s.text.c_str()).good()) << tag.toString();
  } else {
    const Uint8 bytes[12] = {'S', 'E', 'C', 'R', 'E', 'T', 'B', 'Y', 'T', 'E', 'S', '!'};
    ASSERT_TRUE(ds.putAndInsertUint8Array(tag, bytes, 12).good()) << tag.toString();
  }
}

std::string value_at(DcmItem& ds, const DcmTagKey& key) {
  DcmElement* el = nullptr;
  if (ds.findAndGetElement(key, el).bad() || el == nullptr) return {};
  OFString v;
  el->getOFStringArray(v);
  return v.c_str();
}

// What the standard prescribes, written independently of the deidentifier's
// own resolution code.
enum class Expect { unchanged, absent, empty, changed, uid_remapped, date_shifted, cleaned, present };

Expect expected(const ProfileRow& row, const DeidOptions& o, DcmEVR vr) {
  const auto f = row.options;
  const bool keep = (o.retain_uids && (f & kRetainUidsK)) ||
                    (o.retain_device_identity && (f & kRetainDeviceK)) ||
                    (o.retain_institution_identity && (f & kRetainInstitutionK)) ||
                    (o.retain_patient_characteristics && (f & kRetainPatientCharsK)) ||
                    (o.retain_full_dates && (f & kRetainDates));
  if (keep) return Expect::unchanged;
  if (o.retain_modified_dates && (f & kRetainDates)) {
    if (vr == EVR_DA || vr == EVR_DT) return Expect::date_shifted;
    return vr == EVR_TM ? Expect::unchanged : Expect::cleaned;
  }
  if ((o.clean_descriptors && (f & kCleanDescriptorsC)) ||
      (o.retain_patient_characteristics && (f & kRetainPatientCharsC)))
    return vr == EVR_SQ ? Expect::present : Expect::cleaned;
  switch (row.basic) {
    case BasicAction::X:
      return Expect::absent;
    case BasicAction::Z:
    case BasicAction::XZ:
      return Expect::empty;
    case BasicAction::D:
    case BasicAction::ZD:
    case BasicAction::XD:
    case BasicAction::XZD:
      return vr == EVR_SQ ? Expect::present : vr == EVR_UI ? Expect::uid_remapped : Expect::changed;
    case BasicAction::U:
      return vr == EVR_UI ? Expect::uid_remapped : Expect::absent;
    case BasicAction::XZUStar:
      return Expect::present;
    case BasicAction::K:
      return Expect::unchanged;
    case BasicAction::C:
      return Expect::cleaned;
  }
  return Expect::absent;
}

std::vector<std::pair<std::string, DeidOptions>> option_combinations() {
  std::vector<std::pair<std::string, DeidOptions>> out;
  for (int dates = 0; dates < 3; ++dates)
    for (int bits = 0; bits < 32; ++bits) {
      DeidOptions o;
      o.retain_modified_dates = dates == 1;
      o.retain_full_dates = dates == 2;
      o.retain_patient_characteristics = bits & 1;
      o.retain_device_identity = bits & 2;
      o.retain_institution_identity = bits & 4;
      o.retain_uids = bits & 8;
      o.clean_descriptors = bits & 16;
      out.emplace_back("dates=" + std::to_string(dates) + " bits=" + std::to_string(bits), o);
    }
  return out;
}

std::vector<DcmTagKey> tags_for(const ProfileRow& row) {
  if (row.group_mask == 0xFFFF && row.element_mask == 0xFFFF) return {DcmTagKey(row.group, row.element)};
  if (row.element_mask == 0)
    return {DcmTagKey(row.group, 0x3000), DcmTagKey(row.group + 2, 0x0010)};          // curves
  return {DcmTagKey(row.group, row.element), DcmTagKey(row.group + 2, row.element)};  // overlays
}

TEST(ProfileTable, HasEveryRowOnceWithValidTags) {
  std::set<std::pair<int, int>> seen;
  for (const ProfileRow& row : profile_rows()) {
    EXPECT_TRUE(seen.emplace(row.group, row.element).second) << row.name << " listed twice";
    EXPECT_EQ(row.group & 1, 0) << row.name;
    EXPECT_FALSE(row.name.empty());
  }
  EXPECT_GE(profile_rows().size(), 450u);
  EXPECT_NE(find_profile_row(0x0010, 0x0010), nullptr);
  EXPECT_EQ(find_profile_row(0x0010, 0x0010)->name, "Patient's Name");
  EXPECT_NE(find_profile_row(0x6002, 0x3000), nullptr);  // overlay plane 2
  EXPECT_NE(find_profile_row(0x501E, 0x1234), nullptr);  // any curve element
  EXPECT_EQ(find_profile_row(0x0029, 0x1010), nullptr);  // private: not the table's business
  EXPECT_EQ(basic_action_code(find_profile_row(0x0008, 0x1140)->basic), "X/Z/U*");
}

// Guards the transcription: every tag must be the attribute the row names
// (DCMTK's dictionary keywords, ignoring "'s", "(Trial)" punctuation and the
// RETIRED_ prefix).
TEST(ProfileTable, EveryTagIsTheAttributeItsRowNames) {
  auto normalize = [](std::string s) {
    for (std::size_t pos; (pos = s.find("'s")) != std::string::npos;) s.erase(pos, 2);
    if (s.rfind("RETIRED_", 0) == 0) s.erase(0, 8);
    std::string out;
    for (char c : s)
      if (std::isalnum(static_cast<unsigned char>(c)))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const ProfileRow& row : profile_rows()) {
    if (row.group_mask != 0xFFFF) continue;
    DcmTag tag(row.group, row.element);
    EXPECT_EQ(normalize(tag.getTagName()), normalize(std::string(row.name)))
        << tag.toString() << " " << row.name;
  }
}

TEST(ProfileTable, EveryAttributeUnderEveryOptionCombination) {
  ASSERT_TRUE(dcmDataDict.isDictionaryLoaded());
  int checked = 0;
  for (const auto& [label, options] : option_combinations()) {
    auto deidentifier = Deidentifier::create(kSecret, options);
    ASSERT_TRUE(deidentifier.is_ok()) << deidentifier.status().to_string();
    for (const ProfileRow& row : profile_rows()) {
      if (row.group == 0x0000 || row.group == 0x0002)
        continue;  // command / meta groups: see deidentifier_test
      for (const DcmTagKey& key : tags_for(row)) {
        const DcmTag tag(key);
        DcmDataset ds;
        ds.putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        if (key != DCM_PatientID) ds.putAndInsertString(DCM_PatientID, "PAT123");
        put_attribute(ds, tag);
        const std::string before = value_at(ds, key);
        auto report = deidentifier->apply(ds);
        ASSERT_TRUE(report.is_ok());
        const DcmEVR vr = tag.getEVR();
        const Expect want = expected(row, options, vr);
        const std::string where = std::string(row.name) + " " + tag.toString().c_str() + " [" + label + "] " +
                                  std::string(basic_action_code(row.basic));
        DcmElement* el = nullptr;
        const bool present = ds.findAndGetElement(key, el).good() && el != nullptr;
        const std::string after = present ? value_at(ds, key) : "";
        ++checked;
        if (key == DCM_PatientID || key == DCM_PatientName) {  // Z, carried as the pseudonym
          ASSERT_TRUE(present) << where;
          EXPECT_EQ(after, report->patient_pseudonym) << where;
          continue;
        }
        switch (want) {
          case Expect::absent:
            if (remove_as_empty(key.getGroup(), key.getElement())) {  // Type 2 somewhere: emptied instead
              ASSERT_TRUE(present) << where;
              EXPECT_TRUE(el->isEmpty()) << where;
            } else {
              EXPECT_FALSE(present) << where;
            }
            break;
          case Expect::empty:
            ASSERT_TRUE(present) << where;
            if (vr == EVR_SQ)
              EXPECT_EQ(static_cast<DcmSequenceOfItems*>(el)->card(), 0u) << where;
            else
              EXPECT_TRUE(el->isEmpty()) << where;
            break;
          case Expect::unchanged:
            ASSERT_TRUE(present) << where;
            EXPECT_EQ(after, before) << where;
            if (vr == EVR_SQ) {
              OFString nested;
              ds.findAndGetOFString(DCM_ReferencedSOPInstanceUID, nested, 0, true);
              EXPECT_EQ(nested == kNestedUid, options.retain_uids) << where;
            }
            break;
          case Expect::changed:
            ASSERT_TRUE(present) << where;
            EXPECT_NE(after, before) << where;
            if (vr != EVR_UN && vr != EVR_OB && vr != EVR_OW) {
              EXPECT_FALSE(el->isEmpty()) << where;  // D is non-empty
            }
            break;
          case Expect::uid_remapped:
            ASSERT_TRUE(present) << where;
            if (options.retain_uids) {
              EXPECT_EQ(after, before) << where;
            } else {
              EXPECT_EQ(after.rfind("2.25.", 0), 0u) << where << " got " << after;
            }
            break;
          case Expect::date_shifted:
            ASSERT_TRUE(present) << where;
            EXPECT_NE(after, before) << where;
            EXPECT_EQ(after.substr(0, 2), "20") << where;  // still a real date, not a dummy
            EXPECT_EQ(after.size(), before.size()) << where;
            break;
          case Expect::cleaned:
            ASSERT_TRUE(present) << where;
            EXPECT_EQ(after.find("1234567"), std::string::npos) << where;  // long numbers scrubbed
            break;
          case Expect::present:
            ASSERT_TRUE(present) << where;
            if (vr == EVR_SQ) {  // kept sequences are processed inside: nested UIDs remapped
              OFString nested;
              ASSERT_TRUE(ds.findAndGetOFString(DCM_ReferencedSOPInstanceUID, nested, 0, true).good())
                  << where;
              EXPECT_EQ(nested == kNestedUid, options.retain_uids) << where;
            }
            break;
        }
      }
    }
  }
  EXPECT_GT(checked, 96 * 450);
}

}  // namespace
}  // namespace medai::deid

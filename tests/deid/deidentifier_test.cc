// The deidentifier on small synthetic datasets: references between objects,
// meta header, method attributes, burned-in flags, private and nested data,
// safety nets for attributes the table does not list, and error paths.
#include "deid/deidentifier.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <set>

#include "deid/pseudonyms.h"
#include "support/temp_dir.h"

namespace medai::deid {
namespace {

const std::string kSecret(64, 'c');

Deidentifier make(DeidOptions o = {}) {
  auto d = Deidentifier::create(kSecret, std::move(o));
  EXPECT_TRUE(d.is_ok()) << d.status().to_string();
  return std::move(d).value();
}

std::string get(DcmItem& ds, const DcmTagKey& key, bool deep = false) {
  OFString v;
  ds.findAndGetOFStringArray(key, v, deep);
  return v.c_str();
}

void fill_image(DcmItem& ds, const char* sop_uid) {
  ds.putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  ds.putAndInsertString(DCM_SOPInstanceUID, sop_uid);
  ds.putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.1");
  ds.putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0.1.1.2");
  ds.putAndInsertString(DCM_FrameOfReferenceUID, "1.2.826.0.1.1.3");
  ds.putAndInsertString(DCM_PatientID, "MRN-0042");
  ds.putAndInsertString(DCM_PatientName, "Doe^Jane");
  ds.putAndInsertString(DCM_PatientBirthDate, "19700101");
  ds.putAndInsertString(DCM_StudyDate, "20200315");
  ds.putAndInsertString(DCM_Modality, "CT");
}

TEST(Deidentifier, ReferencesStayConsistentAcrossObjects) {
  const Deidentifier d = make();
  DcmDataset image, seg;
  fill_image(image, "1.2.826.0.1.1.2.7");
  fill_image(seg, "1.2.826.0.1.1.9.1");
  seg.putAndInsertString(DCM_SOPClassUID, UID_SegmentationStorage);
  seg.putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0.1.1.9");
  DcmItem* series = nullptr;
  ASSERT_TRUE(seg.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, series, -2).good());
  series->putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0.1.1.2");
  DcmItem* instance = nullptr;
  ASSERT_TRUE(series->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, instance, -2).good());
  instance->putAndInsertString(DCM_ReferencedSOPClassUID, UID_CTImageStorage);
  instance->putAndInsertString(DCM_ReferencedSOPInstanceUID, "1.2.826.0.1.1.2.7");

  ASSERT_TRUE(d.apply(image).is_ok());
  ASSERT_TRUE(d.apply(seg).is_ok());
  const std::string new_image_uid = get(image, DCM_SOPInstanceUID);
  EXPECT_EQ(new_image_uid.rfind("2.25.", 0), 0u);
  EXPECT_EQ(get(seg, DCM_ReferencedSOPInstanceUID, true), new_image_uid);
  EXPECT_EQ(get(seg, DCM_StudyInstanceUID), get(image, DCM_StudyInstanceUID));
  EXPECT_EQ(get(seg, DCM_FrameOfReferenceUID), get(image, DCM_FrameOfReferenceUID));
  EXPECT_EQ(get(seg, DCM_ReferencedSOPClassUID, true), UID_CTImageStorage);  // class UIDs never change
  EXPECT_EQ(get(seg, DCM_SOPClassUID), UID_SegmentationStorage);
  DcmItem* ref_series = nullptr;
  ASSERT_TRUE(seg.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, ref_series).good());
  EXPECT_EQ(get(*ref_series, DCM_SeriesInstanceUID), get(image, DCM_SeriesInstanceUID));
}

TEST(Deidentifier, MarksTheDatasetAsDeidentified) {
  DeidOptions o;
  o.retain_modified_dates = true;
  o.clean_descriptors = true;
  const Deidentifier d = make(o);
  DcmDataset ds;
  fill_image(ds, "1.2.826.0.1.1.2.7");
  auto report = d.apply(ds);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(get(ds, DCM_PatientIdentityRemoved), "YES");
  EXPECT_EQ(get(ds, DCM_LongitudinalTemporalInformationModified), "MODIFIED");
  EXPECT_FALSE(get(ds, DCM_DeidentificationMethod).empty());
  std::set<std::string> codes;
  DcmItem* item = nullptr;
  for (int i = 0; ds.findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, item, i).good(); ++i) {
    EXPECT_EQ(get(*item, DCM_CodingSchemeDesignator), "DCM");
    codes.insert(get(*item, DCM_CodeValue));
  }
  EXPECT_EQ(codes, (std::set<std::string>{"113100", "113105", "113107"}));
  EXPECT_EQ(get(ds, DCM_PatientID), report->patient_pseudonym);
  EXPECT_EQ(get(ds, DCM_PatientName), report->patient_pseudonym);
  EXPECT_EQ(*reidentify(report->patient_pseudonym, kSecret), "MRN-0042");
  EXPECT_EQ(get(ds, DCM_PatientBirthDate), "");  // Z, no option keeps it
  EXPECT_NE(get(ds, DCM_StudyDate), "20200315");
  EXPECT_EQ(get(ds, DCM_StudyDate).size(), 8u);
  const std::string json = report->to_json().dump();
  EXPECT_EQ(json.find("MRN-0042"), std::string::npos);
  EXPECT_EQ(json.find("Doe"), std::string::npos);

  DcmDataset plain;
  fill_image(plain, "1.2.826.0.1.1.2.7");
  ASSERT_TRUE(make().apply(plain).is_ok());
  EXPECT_EQ(get(plain, DCM_LongitudinalTemporalInformationModified), "REMOVED");
  EXPECT_EQ(get(plain, DCM_StudyDate), "");
}

TEST(Deidentifier, NestedPrivateAndUnlistedDataIsHandled) {
  const Deidentifier d = make();
  DcmDataset ds;
  fill_image(ds, "1.2.826.0.1.1.2.7");
  ds.putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "ACME PRIVATE");
  ds.putAndInsertString(DcmTag(0x0029, 0x1001, EVR_LO), "Doe^Jane private copy");
  ds.putAndInsertUint32(DcmTag(0x0029, 0x0000, EVR_UL), 42);     // private group length
  ds.putAndInsertString(DCM_DateOfLastCalibration, "20200101");  // not in Table E.1-1
  DcmItem* item = nullptr;
  ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_ProcedureCodeSequence, item, -2).good());
  item->putAndInsertString(DCM_CodeValue, "CTCHEST");
  item->putAndInsertString(DcmTag(0x0031, 0x0010, EVR_LO), "ACME");
  item->putAndInsertString(DcmTag(0x0031, 0x1001, EVR_PN), "Doe^Jane");
  DcmItem* deeper = nullptr;
  ASSERT_TRUE(item->findOrCreateSequenceItem(DCM_ReferencedStudySequence, deeper, -2).good());
  item->putAndInsertString(DCM_ReferringPhysicianName, "House^Gregory");
  ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_ContentSequence, item, -2).good());
  item->putAndInsertString(DCM_ValueType, "TEXT");
  item->putAndInsertString(DCM_TextValue, "Patient Jane Doe, MRN-0042, called at home");
  item->putAndInsertString(DCM_PersonName, "Doe^Jane");
  DcmItem* original = nullptr;
  ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_OriginalAttributesSequence, original, -2).good());
  original->putAndInsertString(DCM_PatientID, "MRN-0042");
  // An overlay plane.
  ds.putAndInsertUint16(DcmTag(0x6000, 0x0010), 4);
  ds.putAndInsertUint16(DcmTag(0x6000, 0x0011), 4);
  const Uint8 bits[2] = {0xFF, 0x00};
  ds.putAndInsertUint8Array(DcmTag(0x6000, 0x3000, EVR_OB), bits, 2);

  auto report = d.apply(ds);
  ASSERT_TRUE(report.is_ok());
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0029, 0x1001)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0029, 0x0010)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0029, 0x0000)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0031, 0x1001), true));
  EXPECT_FALSE(ds.tagExists(DCM_OriginalAttributesSequence));
  EXPECT_EQ(get(ds, DCM_DateOfLastCalibration), "19000101");  // safety net: dummy date
  EXPECT_EQ(get(ds, DCM_CodeValue, true), "CTCHEST");         // ordinary codes survive
  EXPECT_EQ(get(ds, DCM_ReferringPhysicianName, true), "");   // Z inside a sequence
  EXPECT_EQ(get(ds, DCM_TextValue, true), "ANONYMIZED");      // free text in Content Sequence (D)
  EXPECT_EQ(get(ds, DCM_PersonName, true), "ANONYMIZED");
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x6000, 0x3000)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x6000, 0x0010)));  // the whole overlay group goes
  EXPECT_GE(report->actions.at("private_removed"), 3);
}

TEST(Deidentifier, SafePrivateOptionWithTheEmptyBuiltInListStillRemovesPrivateData) {
  DeidOptions o;
  o.retain_safe_private = true;
  DcmDataset ds;
  fill_image(ds, "1.2.826.0.1.1.2.7");
  ds.putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "ACME PRIVATE");
  ds.putAndInsertString(DcmTag(0x0029, 0x1001, EVR_LO), "Doe^Jane private copy");
  ASSERT_TRUE(make(o).apply(ds).is_ok());
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0029, 0x1001)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0029, 0x0010)));  // the creator goes with its block
}

TEST(Deidentifier, DateShiftIsTheSameForOnePatientAndCoversSequences) {
  DeidOptions o;
  o.retain_modified_dates = true;
  const Deidentifier d = make(o);
  DcmDataset a, b;
  fill_image(a, "1.2.826.0.1.1.2.7");
  fill_image(b, "1.2.826.0.1.1.2.8");
  b.putAndInsertString(DCM_StudyDate, "20200415");
  DcmItem* item = nullptr;
  ASSERT_TRUE(b.findOrCreateSequenceItem(DCM_RequestAttributesSequence, item, -2).good());
  item->putAndInsertString(DCM_ScheduledProcedureStepStartDate, "20200416");
  ASSERT_TRUE(d.apply(a).is_ok());
  ASSERT_TRUE(d.apply(b).is_ok());
  // 31 days between the studies before and after.
  auto day = [](const std::string& s) {
    std::tm t{};
    t.tm_year = std::stoi(s.substr(0, 4)) - 1900;
    t.tm_mon = std::stoi(s.substr(4, 2)) - 1;
    t.tm_mday = std::stoi(s.substr(6, 2));
    t.tm_hour = 12;
    return static_cast<long>(timegm(&t) / 86400);
  };
  EXPECT_EQ(day(get(b, DCM_StudyDate)) - day(get(a, DCM_StudyDate)), 31);
  // Request Attributes Sequence is X in the basic profile: gone with its dates.
  EXPECT_FALSE(b.tagExists(DCM_RequestAttributesSequence));
}

TEST(Deidentifier, FlagsBurnedInAnnotation) {
  const Deidentifier d = make();
  const Uint8 pixels[4] = {0, 1, 2, 3};
  auto run = [&](const char* modality, const char* burned) {
    DcmDataset ds;
    fill_image(ds, "1.2.826.0.1.1.2.7");
    ds.putAndInsertString(DCM_Modality, modality);
    if (burned) ds.putAndInsertString(DCM_BurnedInAnnotation, burned);
    ds.putAndInsertUint8Array(DCM_PixelData, pixels, 4);
    return *d.apply(ds);
  };
  auto us_unknown = run("US", nullptr);
  EXPECT_EQ(us_unknown.burned_in, BurnedIn::unknown);
  EXPECT_TRUE(us_unknown.has_warning("burned_in_annotation_unknown"));
  auto yes = run("CT", "YES");
  EXPECT_EQ(yes.burned_in, BurnedIn::yes);
  EXPECT_TRUE(yes.has_warning("burned_in_annotation"));
  auto no = run("US", "NO");
  EXPECT_EQ(no.burned_in, BurnedIn::no);
  EXPECT_TRUE(no.warnings.empty());
  auto ct = run("CT", nullptr);
  EXPECT_FALSE(ct.has_warning("burned_in_annotation_unknown"));
  DcmDataset sr;
  sr.putAndInsertString(DCM_SOPClassUID, UID_BasicTextSRStorage);
  EXPECT_EQ(d.apply(sr)->burned_in, BurnedIn::not_applicable);
}

TEST(Deidentifier, FileMetaHeaderFollowsTheDataset) {
  testing::TempDir dir;
  DcmFileFormat file;
  fill_image(*file.getDataset(), "1.2.826.0.1.1.2.7");
  const Uint16 pixels[4] = {1, 2, 3, 4};
  file.getDataset()->putAndInsertString(DCM_Rows, "2");
  ASSERT_TRUE(file.getDataset()->putAndInsertUint16Array(DCM_PixelData, pixels, 4).good());
  file.getMetaInfo()->putAndInsertString(DCM_SourceApplicationEntityTitle, "HOSPITAL_PACS");
  ASSERT_TRUE(file.saveFile((dir / "in.dcm").c_str(), EXS_LittleEndianExplicit).good());
  std::filesystem::create_directory(dir / "out");
  auto report = make().apply_file(dir / "in.dcm", dir / "out");
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->output_file, (dir / "out" / (report->sop_instance_uid + ".dcm")).string());
  DcmFileFormat out;
  ASSERT_TRUE(out.loadFile(report->output_file.c_str()).good());
  EXPECT_EQ(get(*out.getMetaInfo(), DCM_MediaStorageSOPInstanceUID),
            get(*out.getDataset(), DCM_SOPInstanceUID));
  EXPECT_FALSE(out.getMetaInfo()->tagExists(DCM_SourceApplicationEntityTitle));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "out"), {}), 1);
}

TEST(Deidentifier, BadInputGivesAStableErrorAndLeavesNothing) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "out");
  std::ofstream(dir / "junk.dcm") << "this is not DICOM at all, just words";
  auto r = make().apply_file(dir / "junk.dcm", dir / "out");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_dicom);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "out"), {}), 0);
  auto missing = make().apply_file(dir / "missing.dcm", dir / "out");
  EXPECT_EQ(missing.status().code(), ErrorCode::invalid_dicom);
  DeidOptions both;
  both.retain_full_dates = both.retain_modified_dates = true;
  EXPECT_EQ(Deidentifier::create(kSecret, both).status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::deid

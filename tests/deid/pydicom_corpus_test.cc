// Every file pydicom ships as a test file (CT, MR in many transfer syntaxes,
// RT, SEG-like, SR, DICOMDIR, deliberately malformed files, non-DICOM files)
// goes through the profile. Each one is either de-identified with no
// original identifying value left anywhere (dataset values and raw bytes),
// or rejected with a stable error code and no output.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <gtest/gtest.h>

#include <map>

#include "deid/deidentifier.h"
#include "deid/keys.h"
#include "deid/pseudonyms.h"
#include "dicom_values.h"
#include "support/temp_dir.h"

namespace medai::deid {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
const std::string kSecret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kCorpus))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

Deidentifier make(DeidOptions o = {}) {
  auto d = Deidentifier::create(kSecret, std::move(o));
  EXPECT_TRUE(d.is_ok());
  return std::move(d).value();
}

std::string get(DcmItem& ds, const DcmTagKey& key) {
  OFString v;
  ds.findAndGetOFStringArray(key, v);
  return testing::trimmed(v);
}

class PydicomCorpus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCorpus)) GTEST_SKIP() << "python3-pydicom test files are not installed";
  }
};

class PydicomCorpusOptions : public PydicomCorpus, public ::testing::WithParamInterface<bool> {};

// Basic Profile, and Basic Profile with dates shifted and descriptors cleaned
// (original dates must not survive: they are all moved).
TEST_P(PydicomCorpusOptions, NoOriginalIdentifyingValueSurvivesAnywhere) {
  const bool with_options = GetParam();
  DeidOptions options;
  options.retain_modified_dates = with_options;
  options.clean_descriptors = with_options;
  const Deidentifier d = make(options);
  medai::testing::TempDir dir;
  int written = 0, rejected = 0, values_checked = 0, shared_with_retained = 0;
  std::set<std::string> dropped_values;
  std::map<std::string, std::string> rejections;
  int index = 0;
  for (const fs::path& file : corpus_files()) {
    const std::string name = fs::relative(file, kCorpus).string();
    const fs::path out = dir / std::to_string(index++);
    fs::create_directory(out);
    auto report = d.apply_file(file, out);
    if (!report.is_ok()) {
      const ErrorCode code = report.status().code();
      EXPECT_TRUE(code == ErrorCode::invalid_dicom || code == ErrorCode::unsupported_sop_class)
          << name << ": " << report.status().to_string();
      EXPECT_TRUE(fs::is_empty(out)) << name << ": a rejected file left output behind";
      EXPECT_FALSE(report.status().message().empty());
      rejections[name] = std::string(error_code_name(code));
      ++rejected;
      continue;
    }
    ++written;
    DcmFileFormat original, deidentified;
    ASSERT_TRUE(original.loadFile(file.c_str()).good()) << name;
    ASSERT_TRUE(deidentified.loadFile(report->output_file.c_str()).good()) << name << ": output unreadable";
    std::set<std::string> sensitive;
    std::vector<std::string> retained;
    testing::sensitive_values(*original.getDataset(), sensitive, retained, with_options);
    shared_with_retained += testing::drop_retained(sensitive, retained, &dropped_values);
    if (original.getMetaInfo()) {
      OFString v;
      if (original.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, v).good() &&
          v.length() >= 4)
        sensitive.insert(testing::trimmed(v));
    }
    std::vector<std::string> values;
    testing::all_values(*deidentified.getDataset(), values);
    testing::all_values(*deidentified.getMetaInfo(), values);
    const std::string bytes = testing::file_bytes(report->output_file);
    for (const std::string& secret : sensitive) {
      ++values_checked;
      for (const std::string& v : values) {
        EXPECT_EQ(v.find(secret), std::string::npos)
            << name << ": \"" << secret << "\" survives in \"" << v << "\"";
      }
      if (secret.size() >= 6) {
        EXPECT_EQ(bytes.find(secret), std::string::npos)
            << name << ": \"" << secret << "\" survives in the file bytes";
      }
    }
    EXPECT_EQ(get(*deidentified.getDataset(), DCM_PatientIdentityRemoved), "YES") << name;
  }
  std::cout << "[ corpus ] written " << written << ", rejected " << rejected
            << ", identifying values checked " << values_checked << " (skipped " << shared_with_retained
            << " also held by retained attributes)\n";
  std::cout << "[ corpus ] not checked (also the value of a retained attribute):";
  for (const auto& v : dropped_values) std::cout << " \"" << v << "\"";
  std::cout << "\n";
  for (const auto& [name, code] : rejections)
    std::cout << "[ corpus ] rejected " << name << " (" << code << ")\n";
  EXPECT_GE(written, 60);
  EXPECT_GT(values_checked, 1000);
  // Files that are not DICOM at all must be among the rejected.
  EXPECT_TRUE(rejections.count("README.txt"));
  EXPECT_TRUE(rejections.count("test1.json"));
  EXPECT_EQ(rejections["dicomdirtests/DICOMDIR"], "unsupported_sop_class");
}

INSTANTIATE_TEST_SUITE_P(Profiles, PydicomCorpusOptions, ::testing::Values(false, true),
                         [](const auto& info) {
                           return info.param ? "ShiftedDatesCleanDescriptors" : "Basic";
                         });

// Negative control: the same search finds plenty when nothing was done, so a
// passing leak test means something.
TEST_F(PydicomCorpus, LeakSearchFindsValuesInAnUntouchedFile) {
  DcmFileFormat original;
  ASSERT_TRUE(original.loadFile((kCorpus / "CT_small.dcm").c_str()).good());
  std::set<std::string> sensitive;
  std::vector<std::string> retained, values;
  testing::sensitive_values(*original.getDataset(), sensitive, retained);
  testing::drop_retained(sensitive, retained);
  testing::all_values(*original.getDataset(), values);
  int found = 0;
  for (const auto& secret : sensitive)
    found += std::any_of(values.begin(), values.end(),
                         [&](const std::string& v) { return v.find(secret) != std::string::npos; });
  EXPECT_EQ(found, static_cast<int>(sensitive.size()));
  EXPECT_GE(found, 10);
  EXPECT_TRUE(sensitive.count("CompressedSamples^CT1"));  // the patient's name is among them
}

TEST_F(PydicomCorpus, DeterministicOutput) {
  const Deidentifier d = make();
  medai::testing::TempDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  for (const char* name : {"CT_small.dcm", "rtstruct.dcm", "test-SR.dcm"}) {
    auto first = d.apply_file(kCorpus / name, dir / "a");
    auto second = make().apply_file(kCorpus / name, dir / "b");
    ASSERT_TRUE(first.is_ok() && second.is_ok()) << name;
    EXPECT_EQ(fs::path(first->output_file).filename(), fs::path(second->output_file).filename());
    EXPECT_EQ(testing::file_bytes(first->output_file), testing::file_bytes(second->output_file)) << name;
  }
}

TEST_F(PydicomCorpus, SeriesStaysTogetherAndReferencesFollow) {
  const Deidentifier d = make();
  auto keys = DeidKeys::from_secret(kSecret);
  const UidRemapper remapper(keys->uid_key());
  medai::testing::TempDir dir;
  // Four CT slices of one series, de-identified one by one.
  std::set<std::string> studies, series, instances;
  std::string original_series;
  for (const auto& entry : fs::directory_iterator(kCorpus / "dicomdirtests/77654033/CT2")) {
    DcmFileFormat in;
    ASSERT_TRUE(in.loadFile(entry.path().c_str()).good());
    original_series = get(*in.getDataset(), DCM_SeriesInstanceUID);
    auto report = d.apply_file(entry.path(), dir.path());
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    DcmFileFormat out;
    ASSERT_TRUE(out.loadFile(report->output_file.c_str()).good());
    studies.insert(get(*out.getDataset(), DCM_StudyInstanceUID));
    series.insert(get(*out.getDataset(), DCM_SeriesInstanceUID));
    instances.insert(get(*out.getDataset(), DCM_SOPInstanceUID));
  }
  EXPECT_EQ(studies.size(), 1u);
  EXPECT_EQ(series.size(), 1u);
  EXPECT_EQ(instances.size(), 4u);
  EXPECT_EQ(*series.begin(), remapper.remap(original_series));

  // RT Structure Set: every referenced image / frame of reference is the remapped original.
  auto collect = [](DcmItem& ds, const DcmTagKey& key) {
    std::set<std::string> values;
    DcmStack stack;
    while (ds.search(key, stack, ESM_afterStackTop, OFTrue).good()) {
      OFString v;
      static_cast<DcmElement*>(stack.top())->getOFStringArray(v);
      values.insert(testing::trimmed(v));
    }
    return values;
  };
  DcmFileFormat in;
  ASSERT_TRUE(in.loadFile((kCorpus / "rtstruct.dcm").c_str()).good());
  auto report = d.apply_file(kCorpus / "rtstruct.dcm", dir.path());
  ASSERT_TRUE(report.is_ok());
  DcmFileFormat out;
  ASSERT_TRUE(out.loadFile(report->output_file.c_str()).good());
  for (const DcmTagKey& key :
       {DCM_ReferencedSOPInstanceUID, DCM_FrameOfReferenceUID, DCM_ReferencedFrameOfReferenceUID}) {
    const auto before = collect(*in.getDataset(), key);
    const auto after = collect(*out.getDataset(), key);
    std::set<std::string> expected;
    for (const auto& uid : before) expected.insert(remapper.remap(uid));
    EXPECT_FALSE(before.empty()) << DcmTag(key).getTagName();
    EXPECT_EQ(after, expected) << DcmTag(key).getTagName();
  }
}

TEST_F(PydicomCorpus, DatesMoveByOneOffsetPerPatient) {
  DeidOptions o;
  o.retain_modified_dates = true;
  const Deidentifier d = make(o);
  medai::testing::TempDir dir;
  auto day = [](const std::string& s) {
    std::tm t{};
    t.tm_year = std::stoi(s.substr(0, 4)) - 1900;
    t.tm_mon = std::stoi(s.substr(4, 2)) - 1;
    t.tm_mday = std::stoi(s.substr(6, 2));
    t.tm_hour = 12;
    return static_cast<long>(timegm(&t) / 86400);
  };
  std::map<std::string, std::set<long>> offsets_by_pseudonym;
  int dated = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kCorpus / "dicomdirtests")) {
    if (!entry.is_regular_file() || entry.path().filename().string().rfind("DICOMDIR", 0) == 0) continue;
    DcmFileFormat in;
    if (in.loadFile(entry.path().c_str()).bad()) continue;
    const std::string before = get(*in.getDataset(), DCM_StudyDate);
    auto report = d.apply_file(entry.path(), dir.path());
    ASSERT_TRUE(report.is_ok()) << entry.path() << report.status().to_string();
    DcmFileFormat out;
    ASSERT_TRUE(out.loadFile(report->output_file.c_str()).good());
    const std::string after = get(*out.getDataset(), DCM_StudyDate);
    if (before.size() != 8) continue;
    ASSERT_EQ(after.size(), 8u);
    offsets_by_pseudonym[report->patient_pseudonym].insert(day(after) - day(before));
    ++dated;
    // Every other date in the file moved by the same offset.
    const std::string content_before = get(*in.getDataset(), DCM_ContentDate);
    if (content_before.size() == 8) {
      EXPECT_EQ(day(get(*out.getDataset(), DCM_ContentDate)) - day(content_before), day(after) - day(before));
    }
  }
  EXPECT_GE(dated, 10);
  EXPECT_GE(offsets_by_pseudonym.size(), 2u);
  std::set<long> distinct;
  for (const auto& [pseudonym, offsets] : offsets_by_pseudonym) {
    EXPECT_EQ(offsets.size(), 1u) << "patient " << pseudonym << " got several offsets";
    EXPECT_LT(*offsets.begin(), 0);
    distinct.insert(*offsets.begin());
    auto original = reidentify(pseudonym, kSecret);
    ASSERT_TRUE(original.is_ok()) << original.status().to_string();
    EXPECT_FALSE(original->empty());
    EXPECT_FALSE(reidentify(pseudonym, std::string(64, 'f')).is_ok());
  }
  EXPECT_EQ(distinct.size(), offsets_by_pseudonym.size()) << "different patients, different offsets";
}

}  // namespace
}  // namespace medai::deid

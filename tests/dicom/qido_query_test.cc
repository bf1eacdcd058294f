// QIDO matching over a real catalog: exact, wildcard, ranges, UID lists,
// fuzzy names, ModalitiesInStudy, includefield, paging, tenancy.
#include "dicom/qido_query.h"

#include "store_fixture.h"

namespace medai::dicom {
namespace {

using nlohmann::json;
using testing::TestInstance;

class QidoTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    // Three studies in A (one Chinese name, one with CT+SEG), one in B.
    add("1.1", "Doe^John", "PID-1", "20240102", "101112", "CT", 1);
    add("1.2", "Wang^XiaoDong=王^小東", "PID-2", "20230615", "080000", "MR", 1);
    add("1.3", "Smith^Anna", "PID-3", "20240301", "153000", "CT", 1);
    add("1.3", "Smith^Anna", "PID-3", "20240301", "153000", "SEG", 2);
    add("9.9", "Other^Tenant", "PID-9", "20240102", "101112", "CT", 1, "inst-b");
  }
  void add(const std::string& study, const std::string& name, const std::string& pid, const std::string& date,
           const std::string& time, const std::string& modality, int series, const std::string& inst = "inst-a") {
    for (int n = 1; n <= 2; ++n) {
      TestInstance t;
      t.study_uid = "2.25." + study;
      t.series_uid = t.study_uid + "." + std::to_string(series);
      t.sop_uid = t.series_uid + "." + std::to_string(n);
      t.patient_name = name;
      t.charset = "ISO_IR 192";
      t.patient_id = pid;
      t.study_date = date;
      t.study_time = time;
      t.modality = modality;
      t.series_number = series;
      t.instance_number = n;
      ASSERT_TRUE(put(t, inst).ok());
    }
  }
  json search(QidoLevel level, std::multimap<std::string, std::string> params, std::string study = "",
              std::string series = "", const std::string& inst = "inst-a") {
    auto q = parse_qido(level, study, series, params);
    EXPECT_TRUE(q) << q.status().to_string();
    if (!q) return nullptr;
    auto r = run_qido(*catalog_, member_of(inst), *q, "http://h/dicom-web");
    EXPECT_TRUE(r) << r.status().to_string();
    return r ? *r : json(nullptr);
  }
  static std::vector<std::string> study_uids(const json& results) {
    std::vector<std::string> out;
    for (const auto& r : results) out.push_back(r["0020000D"]["Value"][0]);
    return out;
  }
};

TEST_F(QidoTest, AllStudiesNewestFirstWithRequiredAttributes) {
  auto r = search(QidoLevel::study, {});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(study_uids(r), (std::vector<std::string>{"2.25.1.3", "2.25.1.1", "2.25.1.2"}));
  const auto& s = r[0];
  EXPECT_EQ(s["00201206"]["Value"][0], 2);  // NumberOfStudyRelatedSeries
  EXPECT_EQ(s["00201208"]["Value"][0], 4);  // NumberOfStudyRelatedInstances
  EXPECT_EQ(s["00080061"]["Value"], json({"CT", "SEG"}));
  EXPECT_EQ(s["00081190"]["Value"][0], "http://h/dicom-web/studies/2.25.1.3");
  EXPECT_EQ(s["00100010"]["Value"][0]["Alphabetic"], "Smith^Anna");
  EXPECT_TRUE(s.contains("00080020") && s.contains("00100020") && s.contains("00080050"));
}

TEST_F(QidoTest, ExactWildcardAndCaseOfNames) {
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientID", "PID-2"}})), std::vector<std::string>{"2.25.1.2"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientName", "Smi*"}})), std::vector<std::string>{"2.25.1.3"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"00100010", "D?e^John"}})), std::vector<std::string>{"2.25.1.1"});
  EXPECT_TRUE(search(QidoLevel::study, {{"PatientName", "Smith"}}).empty()) << "exact means exact";
  // The ideographic group of a Chinese name matches too.
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientName", "王^小東"}})), std::vector<std::string>{"2.25.1.2"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientName", "王*"}})), std::vector<std::string>{"2.25.1.2"});
}

TEST_F(QidoTest, FuzzyNamesMatchWordPrefixesCaseInsensitively) {
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientName", "smi"}, {"fuzzymatching", "true"}})),
            std::vector<std::string>{"2.25.1.3"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientName", "xiaodong wang"}, {"fuzzymatching", "true"}})),
            std::vector<std::string>{"2.25.1.2"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"PatientName", "小"}, {"fuzzymatching", "true"}})),
            std::vector<std::string>{"2.25.1.2"});
}

TEST_F(QidoTest, DateRangesAndTimes) {
  EXPECT_EQ(search(QidoLevel::study, {{"StudyDate", "20240101-20241231"}}).size(), 2u);
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"StudyDate", "-20231231"}})), std::vector<std::string>{"2.25.1.2"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"StudyDate", "20240201-"}})), std::vector<std::string>{"2.25.1.3"});
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"StudyDate", "20240102"}})), std::vector<std::string>{"2.25.1.1"});
  // Open upper time bound includes the whole last minute.
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"StudyTime", "1000-1011"}})), std::vector<std::string>{"2.25.1.1"});
}

TEST_F(QidoTest, UidListsAndModalitiesInStudy) {
  EXPECT_EQ(search(QidoLevel::study, {{"StudyInstanceUID", "2.25.1.1,2.25.1.2"}}).size(), 2u);
  EXPECT_EQ(search(QidoLevel::study, {{"StudyInstanceUID", "2.25.1.1\\2.25.9.9"}}).size(), 1u);
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"ModalitiesInStudy", "SEG"}})), std::vector<std::string>{"2.25.1.3"});
  EXPECT_EQ(search(QidoLevel::study, {{"ModalitiesInStudy", "MR,SEG"}}).size(), 2u);
}

TEST_F(QidoTest, SeriesAndInstancesLevels) {
  auto series = search(QidoLevel::series, {}, "2.25.1.3");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0]["00080060"]["Value"][0], "CT");
  EXPECT_EQ(series[1]["00080060"]["Value"][0], "SEG");
  EXPECT_EQ(series[0]["00201209"]["Value"][0], 2);
  EXPECT_FALSE(series[0].contains("00100010")) << "study attributes only for /series without a study";
  auto all_series = search(QidoLevel::series, {{"Modality", "CT"}});
  EXPECT_EQ(all_series.size(), 2u);
  EXPECT_TRUE(all_series[0].contains("00100010"));
  auto instances = search(QidoLevel::instance, {}, "2.25.1.3", "2.25.1.3.2");
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["00200013"]["Value"][0], 1);
  EXPECT_EQ(instances[0]["00280010"]["Value"][0], 4);
  EXPECT_EQ(instances[0]["00081190"]["Value"][0], "http://h/dicom-web/studies/2.25.1.3/series/2.25.1.3.2/instances/2.25.1.3.2.1");
  EXPECT_EQ(search(QidoLevel::instance, {{"SOPInstanceUID", "2.25.1.1.1.2"}}).size(), 1u);
}

TEST_F(QidoTest, PagingIsStable) {
  auto page1 = search(QidoLevel::study, {{"limit", "2"}});
  auto page2 = search(QidoLevel::study, {{"limit", "2"}, {"offset", "2"}});
  ASSERT_EQ(page1.size(), 2u);
  ASSERT_EQ(page2.size(), 1u);
  auto all = search(QidoLevel::study, {});
  EXPECT_EQ(study_uids(all), (std::vector<std::string>{study_uids(page1)[0], study_uids(page1)[1],
                                                       study_uids(page2)[0]}));
}

TEST_F(QidoTest, IncludeFieldAddsAttributes) {
  auto r = search(QidoLevel::study, {{"includefield", "StudyDescription,00080005"}});
  EXPECT_EQ(r[0]["00081030"]["Value"][0], "CT CHEST");
  auto all = search(QidoLevel::series, {{"includefield", "all"}}, "2.25.1.1");
  EXPECT_TRUE(all[0].contains("00180015"));  // BodyPartExamined present (empty)
}

TEST_F(QidoTest, TenancyHidesOtherInstitutions) {
  EXPECT_EQ(study_uids(search(QidoLevel::study, {}, "", "", "inst-b")), std::vector<std::string>{"2.25.9.9"});
  EXPECT_TRUE(search(QidoLevel::study, {{"StudyInstanceUID", "2.25.9.9"}}).empty());
}

TEST_F(QidoTest, MalformedParametersAreRefused) {
  for (auto params : std::vector<std::multimap<std::string, std::string>>{
           {{"limit", "x"}}, {{"NoSuchKeyword", "1"}}, {{"fuzzymatching", "maybe"}}, {{"SeriesNumber", "abc"}}}) {
    auto q = parse_qido(QidoLevel::series, "", "", params);
    if (q) {
      auto r = run_qido(*catalog_, member_of("inst-a"), *q, "");
      ASSERT_FALSE(r) << params.begin()->first;
      EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
    } else {
      EXPECT_EQ(q.status().code(), ErrorCode::invalid_argument);
    }
  }
  // Instance-level keys cannot be matched at study level.
  EXPECT_FALSE(parse_qido(QidoLevel::study, "", "", {{"SOPInstanceUID", "1.2"}}));
  // SQL metacharacters are data, not SQL.
  EXPECT_TRUE(search(QidoLevel::study, {{"PatientID", "' OR 1=1 --"}}).empty());
}

TEST_F(QidoTest, OrderByKeywordsAndTagsAscendingAndDescending) {
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"orderby", "PatientName"}})),
            (std::vector<std::string>{"2.25.1.1", "2.25.1.3", "2.25.1.2"}));  // Doe, Smith, Wang
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"orderby", "-PatientName"}})),
            (std::vector<std::string>{"2.25.1.2", "2.25.1.3", "2.25.1.1"}));
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"orderby", "-0010,0020"}})),
            (std::vector<std::string>{"2.25.1.3", "2.25.1.2", "2.25.1.1"}));
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"orderby", "+StudyDate"}})),
            (std::vector<std::string>{"2.25.1.2", "2.25.1.1", "2.25.1.3"}));
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"orderby", " 00080020"}})),  // '+' decoded as a space
            (std::vector<std::string>{"2.25.1.2", "2.25.1.1", "2.25.1.3"}));
}

TEST_F(QidoTest, OrderBySeveralKeysThenTheDefaultOrderBreaksTies) {
  auto series_uids = [](const json& r) {
    std::vector<std::string> out;
    for (const auto& x : r) out.push_back(x["0020000E"]["Value"][0]);
    return out;
  };
  // Modality descending, then PatientName (a study attribute) ascending.
  EXPECT_EQ(series_uids(search(QidoLevel::series, {{"orderby", "-Modality,PatientName"}})),
            (std::vector<std::string>{"2.25.1.3.2", "2.25.1.2.1", "2.25.1.1.1", "2.25.1.3.1"}));
  // Repeated parameters are the same as a list; the two CT series tie on
  // SeriesNumber and come in the default order (study UID).
  EXPECT_EQ(series_uids(search(QidoLevel::series, {{"orderby", "Modality"}, {"orderby", "-SeriesNumber"}})),
            (std::vector<std::string>{"2.25.1.1.1", "2.25.1.3.1", "2.25.1.2.1", "2.25.1.3.2"}));
  // Instances of all studies by InstanceNumber descending, then default order.
  auto instances = search(QidoLevel::instance, {{"orderby", "-InstanceNumber"}, {"limit", "3"}});
  ASSERT_EQ(instances.size(), 3u);
  for (const auto& i : instances) EXPECT_EQ(i["00200013"]["Value"][0], 2);
}

TEST_F(QidoTest, OrderByIsStableWithLimitAndOffset) {
  add("1.4", "Adams^Empty", "PID-4", "", "", "CT", 1);  // no study date
  const std::multimap<std::string, std::string> by_date = {{"orderby", "StudyDate"}};
  auto all = study_uids(search(QidoLevel::study, by_date));
  EXPECT_EQ(all, (std::vector<std::string>{"2.25.1.2", "2.25.1.1", "2.25.1.3", "2.25.1.4"}));  // empty last
  EXPECT_EQ(study_uids(search(QidoLevel::study, {{"orderby", "-StudyDate"}})),
            (std::vector<std::string>{"2.25.1.3", "2.25.1.1", "2.25.1.2", "2.25.1.4"}));  // empty last again
  std::vector<std::string> paged;
  for (int offset = 0; offset < 4; ++offset) {
    auto page = search(QidoLevel::study, {{"orderby", "StudyDate"}, {"limit", "1"}, {"offset", std::to_string(offset)}});
    ASSERT_EQ(page.size(), 1u);
    paged.push_back(page[0]["0020000D"]["Value"][0]);
  }
  EXPECT_EQ(paged, all);
  auto page = study_uids(search(QidoLevel::study, {{"orderby", "-PatientName"}, {"limit", "2"}, {"offset", "1"}}));
  EXPECT_EQ(page, (std::vector<std::string>{"2.25.1.3", "2.25.1.1"}));  // Wang | Smith, Doe | Adams
}

TEST_F(QidoTest, OrderByUnknownOrUnsupportedAttributeIsRefused) {
  struct Case {
    QidoLevel level;
    const char* value;
    const char* says;
  };
  for (const Case& c : {Case{QidoLevel::study, "NoSuchKeyword", "unknown attribute"},
                        Case{QidoLevel::study, "PatientWeight", "not an indexed attribute"},
                        Case{QidoLevel::study, "RetrieveURL", "not an indexed attribute"},
                        Case{QidoLevel::study, "-SOPInstanceUID", "instance attribute"},
                        Case{QidoLevel::series, "InstanceNumber", "instance attribute"},
                        Case{QidoLevel::study, "-", "empty attribute"},
                        Case{QidoLevel::study, "PatientName,Foo", "unknown attribute"},
                        Case{QidoLevel::study, "a,b,c,d,e,f,g,h,i", "unknown attribute"}}) {
    auto q = parse_qido(c.level, "", "", {{"orderby", c.value}});
    ASSERT_FALSE(q) << c.value;
    EXPECT_EQ(q.status().code(), ErrorCode::invalid_argument) << c.value;
    EXPECT_NE(q.status().message().find(c.says), std::string::npos) << c.value << ": " << q.status().message();
    EXPECT_EQ(q.status().detail()["parameter"], "orderby");
  }
  auto many = parse_qido(QidoLevel::instance, "", "",
                         {{"orderby", "PatientName,PatientID,StudyDate,StudyTime,Modality,SeriesNumber,"
                                      "InstanceNumber,Rows,Columns"}});
  ASSERT_FALSE(many);
  EXPECT_NE(many.status().message().find("at most 8"), std::string::npos);
  // Not a warning any more: a supported parameter.
  auto ok = parse_qido(QidoLevel::study, "", "", {{"orderby", "PatientName"}});
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->ignored.empty());
}

}  // namespace
}  // namespace medai::dicom

// Routing rules: parsing, each match field, slice thickness from headers,
// series stability timing, no double enqueue, tenancy — with real DICOM
// instances stored by the real InstanceStore.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <atomic>

#include "core/clock.h"
#include "dicom/instance_store.h"
#include "jobs/routing_rules.h"
#include "jobs/series_complete_detector.h"
#include "jobs/series_geometry.h"
#include "jobs_fixture.h"
#include "storage/blob_store.h"

namespace medai::jobs {
namespace {

using nlohmann::json;

struct Slice {
  std::string study_uid = "1.2.826.0.1.3680043.10.543.7";
  std::string series_uid = "1.2.826.0.1.3680043.10.543.7.1";
  std::string sop_class = UID_CTImageStorage;
  std::string modality = "CT";
  std::string body_part = "CHEST";
  std::string description = "Lung 1.0 B60f";
  std::optional<double> thickness = 1.0;
  std::optional<double> z;  // ImagePositionPatient z; orientation axial
  int number = 1;
};

std::string make_slice(const Slice& s) {
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  const std::string sop = s.series_uid + "." + std::to_string(s.number);
  ds->putAndInsertString(DCM_SOPClassUID, s.sop_class.c_str());
  ds->putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
  ds->putAndInsertString(DCM_StudyInstanceUID, s.study_uid.c_str());
  ds->putAndInsertString(DCM_SeriesInstanceUID, s.series_uid.c_str());
  ds->putAndInsertString(DCM_PatientName, "Test^Routing");
  ds->putAndInsertString(DCM_PatientID, "R1");
  ds->putAndInsertString(DCM_Modality, s.modality.c_str());
  ds->putAndInsertString(DCM_BodyPartExamined, s.body_part.c_str());
  ds->putAndInsertString(DCM_SeriesDescription, s.description.c_str());
  ds->putAndInsertString(DCM_InstanceNumber, std::to_string(s.number).c_str());
  if (s.thickness) ds->putAndInsertString(DCM_SliceThickness, std::to_string(*s.thickness).c_str());
  if (s.z) {
    ds->putAndInsertString(DCM_ImagePositionPatient, ("-100\\-100\\" + std::to_string(*s.z)).c_str());
    ds->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
  }
  ds->putAndInsertUint16(DCM_Rows, 2);
  ds->putAndInsertUint16(DCM_Columns, 2);
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 16);
  ds->putAndInsertUint16(DCM_HighBit, 15);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  Uint16 px[4] = {1, 2, 3, 4};
  ds->putAndInsertUint16Array(DCM_PixelData, px, 4);
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("medai-routing-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".dcm");
  EXPECT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return bytes;
}

class RoutingTest : public JobsTest {
 protected:
  void SetUp() override {
    JobsTest::SetUp();
    auto b = storage::BlobStore::open(dir_ / "blobs");
    ASSERT_TRUE(b.is_ok());
    blobs_ = std::make_unique<storage::BlobStore>(std::move(b).value());
    store_ = std::make_unique<dicom::InstanceStore>(*catalog_, *blobs_, dicom::DuplicatePolicy::reject);
    engine_ = std::make_unique<JobEngine>(*catalog_, fast_options());  // not started: jobs stay queued
    detector_ = std::make_unique<SeriesCompleteDetector>(*catalog_, *blobs_, *engine_,
                                                         DetectorOptions{.stable_ms = 1000, .poll_interval_ms = 100});
    rules_ = std::make_unique<RoutingRules>(*catalog_);
  }

  void store(const std::vector<Slice>& slices, const std::string& institution = "inst-a") {
    dicom::IngestContext ctx;
    ctx.institution_id = institution;
    ctx.protocol = "upload";
    for (const auto& s : slices) {
      const std::string bytes = make_slice(s);
      auto r = store_->ingest({.bytes = bytes}, ctx);
      ASSERT_TRUE(r.ok()) << r.error.to_string();
    }
  }

  std::vector<Slice> ct_series(int n, double thickness, double spacing, std::string series_suffix = "1") {
    std::vector<Slice> out;
    for (int i = 0; i < n; ++i) {
      Slice s;
      s.series_uid = "1.2.826.0.1.3680043.10.543.7." + series_suffix;
      s.thickness = thickness;
      s.z = i * spacing;
      s.number = i + 1;
      out.push_back(s);
    }
    return out;
  }

  RoutingRule rule(const std::string& name, const json& match, const std::string& institution = "") {
    RoutingRule r;
    r.name = name;
    r.institution_id = institution;
    auto m = parse_rule_match(match);
    EXPECT_TRUE(m.is_ok()) << m.status().to_string();
    if (m) r.match = *m;
    r.action.app = "lung-nodule-screening";
    auto created = rules_->create(admin_a_, r);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return created.is_ok() ? *created : r;
  }

  std::vector<Job> queued_jobs() {
    auto l = engine_->store().list({});
    EXPECT_TRUE(l.is_ok());
    return l.is_ok() ? *l : std::vector<Job>{};
  }

  // Evaluates as if the series had been stable long enough.
  int evaluate_later() {
    auto n = detector_->run_once(now_ms() + 5000);
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    return n.is_ok() ? *n : -1;
  }

  const access::Principal admin_a_ = user_of("inst-a", "adm", access::Role::institution_admin);
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<dicom::InstanceStore> store_;
  std::unique_ptr<JobEngine> engine_;
  std::unique_ptr<SeriesCompleteDetector> detector_;
  std::unique_ptr<RoutingRules> rules_;
};

TEST(RuleParsing, RefusesUnknownFieldsBadTypesAndBadRegex) {
  EXPECT_TRUE(parse_rule_match(json{{"modality", {"CT"}}, {"max_slice_thickness_mm", 2.5}}).is_ok());
  EXPECT_EQ(parse_rule_match(json{{"modalty", {"CT"}}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_match(json{{"modality", "CT"}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_match(json{{"min_instances", 0}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_match(json{{"series_description_regex", "(unclosed"}}).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_match(json{{"max_slice_thickness_mm", -1}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_action(json{{"job_type", "app.run"}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_action(json{{"app", "x"}, {"version", "1.2"}}).status().code(), ErrorCode::invalid_argument);
  auto a = parse_rule_action(json{{"app", "x"}, {"version", "1.2.0"}});
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->job_type, "app.run");
  EXPECT_EQ(parse_rule_action(json{{"app", "x"}})->version, "latest-approved");
  // Results delivery: a list of node ids that round-trips; anything else is refused.
  auto d = parse_rule_action(json{{"app", "x"}, {"deliver_to", {"node-1", "node-2"}}});
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->deliver_to, (std::vector<std::string>{"node-1", "node-2"}));
  EXPECT_EQ(to_json(*d)["deliver_to"], json({"node-1", "node-2"}));
  EXPECT_FALSE(to_json(*a).contains("deliver_to"));
  EXPECT_EQ(parse_rule_action(json{{"app", "x"}, {"deliver_to", "node-1"}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_action(json{{"app", "x"}, {"deliver_to", {""}}}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(parse_rule_action(json{{"app", "x"}, {"deliver_to", json::array({1})}}).status().code(),
            ErrorCode::invalid_argument);
}

TEST(RuleMatching, EachFieldMustHold) {
  SeriesFacts f;
  f.modality = "CT";
  f.body_part = "CHEST";
  f.series_description = "Lung 1.0 B60f";
  f.instance_count = 120;
  f.sop_classes = {UID_CTImageStorage};
  f.study_modalities = {"CT", "SR"};
  f.slice_thickness_mm = 1.0;
  auto m = [](const json& j) { return *parse_rule_match(j); };
  EXPECT_TRUE(rule_matches(m(json::object()), f));
  EXPECT_TRUE(rule_matches(m({{"modality", {"ct", "MR"}}}), f));  // codes compare case-insensitively
  EXPECT_FALSE(rule_matches(m({{"modality", {"MR"}}}), f));
  EXPECT_TRUE(rule_matches(m({{"body_part", {"CHEST"}}}), f));
  EXPECT_FALSE(rule_matches(m({{"body_part", {"HEAD"}}}), f));
  EXPECT_TRUE(rule_matches(m({{"series_description_regex", "lung\\s+1\\.0"}}), f));
  EXPECT_FALSE(rule_matches(m({{"series_description_regex", "^mediastinum"}}), f));
  EXPECT_TRUE(rule_matches(m({{"min_instances", 120}}), f));
  EXPECT_FALSE(rule_matches(m({{"min_instances", 121}}), f));
  EXPECT_TRUE(rule_matches(m({{"max_slice_thickness_mm", 1.0}}), f));
  EXPECT_FALSE(rule_matches(m({{"max_slice_thickness_mm", 0.9}}), f));
  EXPECT_TRUE(rule_matches(m({{"sop_class", {UID_CTImageStorage, UID_MRImageStorage}}}), f));
  EXPECT_FALSE(rule_matches(m({{"sop_class", {UID_MRImageStorage}}}), f));
  EXPECT_TRUE(rule_matches(m({{"study_has_modality", {"SR"}}}), f));
  EXPECT_FALSE(rule_matches(m({{"study_has_modality", {"RTPLAN"}}}), f));
  EXPECT_TRUE(rule_matches(m({{"study_lacks_modality", {"RTPLAN"}}}), f));
  EXPECT_FALSE(rule_matches(m({{"study_lacks_modality", {"SR"}}}), f));
  // Unknown thickness never satisfies a thickness limit.
  f.slice_thickness_mm.reset();
  EXPECT_FALSE(rule_matches(m({{"max_slice_thickness_mm", 100}}), f));
  EXPECT_TRUE(rule_matches(m({{"modality", {"CT"}}}), f));
}

TEST_F(RoutingTest, SliceThicknessComesFromHeadersAndPositionsNotOneTag) {
  store(ct_series(5, 1.0, 1.0, "10"));
  store(ct_series(5, 1.0, 5.0, "11"));  // thin reconstruction every 5 mm: not thin
  std::vector<Slice> liar = ct_series(5, 1.0, 3.0, "12");
  liar[0].thickness = 0.5;  // one odd header does not decide
  store(liar);
  std::vector<Slice> no_geometry = ct_series(3, 2.0, 0, "13");
  for (auto& s : no_geometry) s.z.reset();
  store(no_geometry);
  auto facts = [&](const std::string& suffix) {
    auto f = detector_->series_facts("inst-a", "1.2.826.0.1.3680043.10.543.7." + suffix, true);
    EXPECT_TRUE(f.is_ok()) << f.status().to_string();
    return f.is_ok() ? f->slice_thickness_mm : std::nullopt;
  };
  EXPECT_NEAR(facts("10").value_or(-1), 1.0, 1e-6);
  EXPECT_NEAR(facts("11").value_or(-1), 5.0, 1e-6);
  EXPECT_NEAR(facts("12").value_or(-1), 3.0, 1e-6);
  EXPECT_NEAR(facts("13").value_or(-1), 2.0, 1e-6);  // header only
}

TEST_F(RoutingTest, MatchingSeriesEnqueuesOnceAfterItIsStable) {
  const RoutingRule r = rule("thin chest CT", {{"modality", {"CT"}}, {"body_part", {"CHEST"}},
                                               {"max_slice_thickness_mm", 2.5}, {"min_instances", 3}});
  store(ct_series(4, 1.0, 1.0));
  // Not yet stable: nothing happens.
  auto early = detector_->run_once(now_ms());
  ASSERT_TRUE(early.is_ok());
  EXPECT_EQ(*early, 0);
  EXPECT_TRUE(queued_jobs().empty());
  EXPECT_EQ(evaluate_later(), 1);
  auto jobs = queued_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].type, "app.run");
  EXPECT_EQ(jobs[0].institution_id, "inst-a");
  EXPECT_EQ(jobs[0].idempotency_key.value_or(""), r.id + ":1.2.826.0.1.3680043.10.543.7.1");
  EXPECT_EQ(jobs[0].input["app"], "lung-nodule-screening");
  EXPECT_EQ(jobs[0].input["version"], "latest-approved");
  EXPECT_EQ(jobs[0].input["series_uid"], "1.2.826.0.1.3680043.10.543.7.1");
  EXPECT_EQ(jobs[0].input["study_uid"], "1.2.826.0.1.3680043.10.543.7");
  // Evaluated: a second pass does nothing.
  EXPECT_EQ(evaluate_later(), 0);
  // A late instance makes the series due again, but the rule fired already.
  Slice late = ct_series(5, 1.0, 1.0)[4];
  store({late});
  EXPECT_EQ(evaluate_later(), 0);
  EXPECT_EQ(queued_jobs().size(), 1u);
}

TEST_F(RoutingTest, NonMatchingSeriesAndDisabledRulesEnqueueNothing) {
  rule("MR only", {{"modality", {"MR"}}});
  RoutingRule disabled = rule("disabled", {{"modality", {"CT"}}});
  ASSERT_TRUE(rules_->update(admin_a_, disabled.id, RulePatch{.enabled = false}).is_ok());
  rule("thick only", {{"max_slice_thickness_mm", 0.5}});
  store(ct_series(3, 1.0, 1.0));
  EXPECT_EQ(evaluate_later(), 0);
  EXPECT_TRUE(queued_jobs().empty());
}

TEST_F(RoutingTest, StudyLevelConditionsSeeOtherSeriesOfTheStudy) {
  rule("CT without SR", {{"modality", {"CT"}}, {"study_lacks_modality", {"SR"}}});
  rule("CT with SR", {{"modality", {"CT"}}, {"study_has_modality", {"SR"}}});
  store(ct_series(3, 1.0, 1.0));
  Slice sr;
  sr.series_uid = "1.2.826.0.1.3680043.10.543.7.99";
  sr.modality = "SR";
  sr.sop_class = UID_ComprehensiveSRStorage;
  store({sr});
  EXPECT_EQ(evaluate_later(), 1);
  auto jobs = queued_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].input["rule_name"], "CT with SR");
}

TEST_F(RoutingTest, RulesOnlySeeTheirOwnInstitutionsSeries) {
  rule("any CT", {{"modality", {"CT"}}});
  store(ct_series(3, 1.0, 1.0), "inst-b");
  EXPECT_EQ(evaluate_later(), 0);
  store(ct_series(3, 1.0, 1.0), "inst-a");
  EXPECT_EQ(evaluate_later(), 1);
  ASSERT_EQ(queued_jobs().size(), 1u);
  EXPECT_EQ(queued_jobs()[0].institution_id, "inst-a");
}

TEST_F(RoutingTest, RuleManagementIsForInstitutionAdminsOfTheTenant) {
  RoutingRule r = rule("mine", {{"modality", {"CT"}}});
  const auto admin_b = user_of("inst-b", "admb", access::Role::institution_admin);
  const auto doctor_a = user_of("inst-a", "doc", access::Role::doctor);
  EXPECT_EQ(rules_->get(admin_b, r.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(rules_->remove(admin_b, r.id).code(), ErrorCode::not_found);
  EXPECT_EQ(rules_->get(doctor_a, r.id).status().code(), ErrorCode::forbidden);
  EXPECT_EQ(rules_->list(doctor_a).status().code(), ErrorCode::forbidden);
  RoutingRule other;
  other.name = "x";
  other.institution_id = "inst-a";
  other.action.app = "a";
  EXPECT_EQ(rules_->create(admin_b, other).status().code(), ErrorCode::forbidden);
  auto list_b = rules_->list(admin_b);
  ASSERT_TRUE(list_b.is_ok());
  EXPECT_TRUE(list_b->empty());
  // Names are unique per institution.
  RoutingRule dup;
  dup.name = "mine";
  dup.action.app = "a";
  EXPECT_EQ(rules_->create(admin_a_, dup).status().code(), ErrorCode::already_exists);
  EXPECT_TRUE(rules_->remove(admin_a_, r.id).is_ok());
  EXPECT_EQ(rules_->get(admin_a_, r.id).status().code(), ErrorCode::not_found);
}

TEST_F(RoutingTest, DetectorThreadFiresAfterTheStableTime) {
  rule("any CT", {{"modality", {"CT"}}});
  detector_->start();
  const auto t0 = std::chrono::steady_clock::now();
  store(ct_series(3, 1.0, 1.0));
  while (queued_jobs().empty() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto waited = std::chrono::steady_clock::now() - t0;
  detector_->stop();
  ASSERT_EQ(queued_jobs().size(), 1u);
  EXPECT_GE(waited, std::chrono::milliseconds(900));  // stable_ms = 1000
}

}  // namespace
}  // namespace medai::jobs

// De-identification at ingest for research-only institutions: nothing
// identifying reaches the blob store or the index, a study sent in two parts
// stays one study, and other institutions' data is stored as received.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace medai::dicom {
namespace {

class IngestDeidTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    store_->set_ingest_deidentifier(
        std::make_shared<IngestDeidentifier>(std::string(64, 'c'), std::set<std::string>{"inst-a"}));
  }
  std::string stored_bytes(const IngestResult& r) { return blobs_->read(r.blob_sha256).value(); }
  std::string one_text(const std::string& sql) {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    return tx->query_one(sql).value()->get_text("v");
  }
};

TEST_F(IngestDeidTest, ResearchOnlyInstitutionStoresNoIdentifiers) {
  testing::TestInstance t;
  t.patient_name = "Zhang^Wei";
  t.patient_id = "MRN-778899";
  t.accession = "ACC-445566";
  auto r = put(t, "inst-a");
  ASSERT_TRUE(r.ok()) << r.error.to_string();
  const std::string bytes = stored_bytes(r);
  for (const std::string& original : {t.patient_name, t.patient_id, t.accession, t.study_uid, t.series_uid, t.sop_uid})
    EXPECT_EQ(bytes.find(original), std::string::npos) << original << " survived";
  EXPECT_NE(r.keys.study_uid, t.study_uid);
  EXPECT_NE(r.keys.sop_instance_uid, t.sop_uid);
  EXPECT_EQ(one_text("SELECT patient_id AS v FROM dicom_studies").find("MRN"), std::string::npos);
  EXPECT_EQ(one_text("SELECT patient_sex AS v FROM dicom_studies"), "M") << "patient characteristics are kept";

  // The second instance of the same study lands in the same (new) study and series.
  testing::TestInstance second = t;
  second.sop_uid = t.sop_uid + ".2";
  second.instance_number = 2;
  auto r2 = put(second, "inst-a");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.keys.study_uid, r.keys.study_uid);
  EXPECT_EQ(r2.keys.series_uid, r.keys.series_uid);
  EXPECT_EQ(count("dicom_studies"), 1);
  // Sending the first one again is recognised as the same instance.
  auto again = put(t, "inst-a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.outcome, IngestOutcome::already_present);
}

TEST_F(IngestDeidTest, OtherInstitutionsAreStoredAsReceived) {
  testing::TestInstance t;
  auto r = put(t, "inst-b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.keys.study_uid, t.study_uid);
  EXPECT_NE(stored_bytes(r).find(t.patient_id), std::string::npos);
}

TEST_F(IngestDeidTest, GarbageIsRefusedAndLeavesNothing) {
  bytes_.push_back("not a DICOM file at all");
  auto r = store_->ingest({bytes_.back(), {}}, context("inst-a"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.code(), ErrorCode::invalid_dicom);
  EXPECT_EQ(count("dicom_instances"), 0);
}

}  // namespace
}  // namespace medai::dicom

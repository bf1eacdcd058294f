// Ingest: stored / already_present / duplicate policies / failures leave
// nothing; batches; retrieve order; tenancy.
#include "dicom/qido_query.h"
#include "store_fixture.h"

namespace medai::dicom {
namespace {

using testing::TestInstance;

TestInstance instance(int series, int number) {
  TestInstance t;
  t.series_uid = "1.2.3.4." + std::to_string(series);
  t.sop_uid = "1.2.3.4." + std::to_string(series) + "." + std::to_string(number);
  t.series_number = series;
  t.instance_number = number;
  t.pixel_seed = static_cast<std::uint16_t>(series * 100 + number);
  return t;
}

TEST_F(StoreFixture, StoresAndCountsAndSameBytesAreANoOp) {
  auto r = put(instance(1, 1));
  ASSERT_EQ(r.outcome, IngestOutcome::stored) << r.error.to_string();
  EXPECT_EQ(r.keys.sop_instance_uid, "1.2.3.4.1.1");
  EXPECT_TRUE(blobs_->exists(r.blob_sha256));
  auto again = put(instance(1, 1));
  EXPECT_EQ(again.outcome, IngestOutcome::already_present);
  EXPECT_EQ(count("dicom_instances"), 1);
  put(instance(1, 2));
  put(instance(2, 1));
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto study = tx->query_one("SELECT * FROM dicom_studies").value();
  EXPECT_EQ(study->get_int("series_count"), 2);
  EXPECT_EQ(study->get_int("instance_count"), 3);
  EXPECT_EQ(study->get_text("modalities"), "CT");
}

TEST_F(StoreFixture, DifferentBytesAreRejectedByDefault) {
  ASSERT_TRUE(put(instance(1, 1)).ok());
  auto changed = instance(1, 1);
  changed.pixel_seed = 999;
  auto r = put(changed);
  EXPECT_EQ(r.outcome, IngestOutcome::failed);
  EXPECT_EQ(r.error.code(), ErrorCode::duplicate_instance);
  auto located = store_->locate(member_of("inst-a"), {.study_uid = changed.study_uid}, "");
  ASSERT_TRUE(located);
  EXPECT_EQ(testing::file_bytes(located->front().path), bytes_.front()) << "the first copy is kept";
}

TEST_F(StoreFixture, KeepNewestReplacesAndMovesCounters) {
  open(DuplicatePolicy::keep_newest);
  ASSERT_TRUE(put(instance(1, 1)).ok());
  auto moved = instance(2, 1);
  moved.sop_uid = "1.2.3.4.1.1";  // same SOP Instance UID, now in series 2
  auto r = put(moved);
  EXPECT_EQ(r.outcome, IngestOutcome::replaced) << r.error.to_string();
  EXPECT_EQ(count("dicom_instances"), 1);
  EXPECT_EQ(count("dicom_series"), 1) << "the emptied series is dropped";
  auto located = store_->locate(member_of("inst-a"), {.study_uid = moved.study_uid}, "");
  ASSERT_TRUE(located);
  EXPECT_EQ(located->front().series_uid, "1.2.3.4.2");
}

TEST_F(StoreFixture, FailedItemsLeaveNothingAndDoNotSpoilTheBatch) {
  std::vector<std::string> bytes = {testing::make_dicom(instance(1, 1)), "garbage",
                                    testing::make_dicom(instance(1, 2))};
  auto missing = instance(1, 3);
  missing.omit_sop_instance_uid = true;
  bytes.push_back(testing::make_dicom(missing));
  std::vector<IngestItem> items;
  for (const auto& b : bytes) items.push_back({b, {}});
  auto results = store_->ingest_batch(items, context("inst-a"));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].outcome, IngestOutcome::stored);
  EXPECT_EQ(results[1].error.code(), ErrorCode::invalid_dicom);
  EXPECT_EQ(results[2].outcome, IngestOutcome::stored);
  EXPECT_EQ(results[3].error.code(), ErrorCode::dicom_missing_attribute);
  EXPECT_EQ(count("dicom_instances"), 2);
  // One audit row for the study, in the same transaction.
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto audit = tx->query("SELECT * FROM audit_events WHERE action = 'dicom.store'").value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_NE(audit[0].get_text("detail").find("\"stored\":2"), std::string::npos);
}

TEST_F(StoreFixture, RequiredStudyRefusesOtherStudies) {
  auto ctx = context("inst-a");
  ctx.required_study_uid = "1.2.999";
  const std::string b = testing::make_dicom(instance(1, 1));
  auto r = store_->ingest({b, {}}, ctx);
  EXPECT_EQ(r.error.code(), ErrorCode::conflict);
  EXPECT_EQ(count("dicom_instances"), 0);
}

TEST_F(StoreFixture, LocateOrdersBySeriesAndInstanceNumberAndRespectsTenancy) {
  put(instance(2, 1));
  put(instance(1, 10));
  put(instance(1, 2));
  auto all = store_->locate(member_of("inst-a"), {.study_uid = instance(1, 1).study_uid});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].sop_instance_uid, "1.2.3.4.1.2");
  EXPECT_EQ((*all)[1].sop_instance_uid, "1.2.3.4.1.10");
  EXPECT_EQ((*all)[2].sop_instance_uid, "1.2.3.4.2.1");
  auto other = store_->locate(member_of("inst-b"), {.study_uid = instance(1, 1).study_uid});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().code(), ErrorCode::not_found);
  access::Principal admin = member_of("platform");
  admin.roles = {access::Role::admin};
  EXPECT_TRUE(store_->locate(admin, {.study_uid = instance(1, 1).study_uid}, ""));
}

TEST_F(StoreFixture, GarbageCollectionRemovesOnlyUnreferencedBlobs) {
  auto kept = put(instance(1, 1));
  auto orphan = blobs_->put("not referenced by any instance");
  ASSERT_TRUE(orphan);
  auto removed = store_->collect_garbage(std::chrono::seconds(0));
  ASSERT_TRUE(removed) << removed.status().to_string();
  EXPECT_EQ(*removed, 1u);
  EXPECT_TRUE(blobs_->exists(kept.blob_sha256));
  EXPECT_FALSE(blobs_->exists(orphan->sha256));
}

}  // namespace
}  // namespace medai::dicom

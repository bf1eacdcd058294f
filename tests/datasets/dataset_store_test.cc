// Datasets in a real SQLite catalog and blob folder: versions, freezing,
// tenancy, public reference data, export with pseudonymised patients.
#include <gtest/gtest.h>

#include "dataset_fixture.h"
#include "access/audit.h"
#include "datasets/dataset_store.h"
#include "datasets/reference_data.h"
#include "storage/blob_gc.h"

namespace medai::datasets {
namespace {

class DatasetStoreTest : public DatasetFixture {
 protected:
  void SetUp() override {
    DatasetFixture::SetUp();
    researcher_a_ = make_user(inst_a_, "res-a", {access::Role::researcher});
    researcher_b_ = make_user(inst_b_, "res-b", {access::Role::researcher});
  }
  NewDataset meta(const std::string& name) {
    return {.name = name, .description = "d", .data_use = "research", .licence = "internal", .source = "test"};
  }
  const std::string csv_ =
      "patient,age,hba1c,outcome\n"
      "P1,50,7.1,yes\nP1,51,7.4,yes\nP2,60,6.0,no\nP3,44,NA,no\nP4,70,8.2,yes\nP5,39,5.5,no\n"
      "P6,58,6.8,no\nP7,66,7.9,yes\nP8,47,5.9,no\nP9,53,6.2,no\n";
  access::User researcher_a_, researcher_b_;
};

TEST_F(DatasetStoreTest, CreateShowsCountsAndLabelStatistics) {
  auto ds = store_->create_tabular(as(researcher_a_), meta("hba1c"), csv_,
                                   {.label_column = "outcome", .group_column = std::string("patient")});
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->institution_id, inst_a_.id);
  auto v = store_->get_version(as(researcher_a_), ds->id, 1);
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(v->state, "draft");
  EXPECT_EQ(v->item_count, 10);
  EXPECT_EQ(v->stats["items"], 10);
  const auto& labels = v->stats["labels"];
  EXPECT_EQ(labels["yes"]["train"].get<int>() + labels["yes"]["validation"].get<int>() +
                labels["yes"]["test"].get<int>(),
            4);
  const auto& hba1c = v->stats["columns"][2];
  EXPECT_EQ(hba1c["name"], "hba1c");
  EXPECT_EQ(hba1c["type"], "number");
  EXPECT_EQ(hba1c["missing"], 1);
  EXPECT_DOUBLE_EQ(hba1c["max"].get<double>(), 8.2);
  EXPECT_EQ(v->stats["columns"][0]["type"], "category");
}

TEST_F(DatasetStoreTest, FrozenVersionsStayAndNewVersionsAreAdded) {
  auto ds = store_->create_tabular(as(researcher_a_), meta("versioned"), csv_, {.label_column = "outcome"}).value();
  auto frozen = store_->freeze(as(researcher_a_), ds.id, 1);
  ASSERT_TRUE(frozen.is_ok());
  EXPECT_EQ(frozen->state, "frozen");
  EXPECT_TRUE(frozen->frozen_at.has_value());
  EXPECT_TRUE(store_->freeze(as(researcher_a_), ds.id, 1).is_ok()) << "idempotent";
  auto v2 = store_->add_tabular_version(as(researcher_a_), ds.id, csv_ + "P10,61,9.0,yes\n", {.label_column = "outcome"});
  ASSERT_TRUE(v2.is_ok()) << v2.status().to_string();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->item_count, 11);
  EXPECT_EQ(store_->get_version(as(researcher_a_), ds.id, 1)->item_count, 10);
  EXPECT_EQ(store_->versions(as(researcher_a_), ds.id)->size(), 2u);
  EXPECT_EQ(store_->freeze(as(researcher_a_), ds.id, 9).status().code(), ErrorCode::not_found);
}

TEST_F(DatasetStoreTest, BadInputIsRefusedAndLeavesNothing) {
  EXPECT_EQ(store_->create_tabular(as(researcher_a_), meta("xtab"), csv_, {.label_column = "nope"}).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(store_->create_tabular(as(researcher_a_), meta("xtab"), "a,b\n1\n", {.label_column = "a"}).status().code(),
            ErrorCode::invalid_argument);
  auto no_licence = meta("xtab");
  no_licence.licence = "";
  EXPECT_EQ(store_->create_tabular(as(researcher_a_), no_licence, csv_, {.label_column = "outcome"}).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(store_->create_tabular(as(researcher_a_), meta("Bad Name"), csv_, {.label_column = "outcome"})
                .status()
                .code(),
            ErrorCode::invalid_argument);
  EXPECT_TRUE(store_->list(as(researcher_a_), {})->empty());
  ASSERT_TRUE(store_->create_tabular(as(researcher_a_), meta("xtab"), csv_, {.label_column = "outcome"}).is_ok());
  EXPECT_EQ(store_->create_tabular(as(researcher_a_), meta("xtab"), csv_, {.label_column = "outcome"}).status().code(),
            ErrorCode::already_exists);
}

TEST_F(DatasetStoreTest, TenancyAndRoles) {
  auto ds = store_->create_tabular(as(researcher_a_), meta("private"), csv_, {.label_column = "outcome"}).value();
  EXPECT_EQ(store_->get(as(researcher_b_), ds.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->export_table(as(researcher_b_), ds.id, 1).status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->remove(as(researcher_b_), ds.id).code(), ErrorCode::not_found);
  EXPECT_TRUE(store_->list(as(researcher_b_), {})->empty());
  EXPECT_EQ(store_->list(as(doctor_a_), {}).status().code(), ErrorCode::forbidden) << "doctors do not browse datasets";
  EXPECT_TRUE(store_->get(as(admin_), ds.id).is_ok());
  // Writing into another institution is refused.
  auto other = meta("other");
  other.institution_id = inst_b_.id;
  EXPECT_EQ(store_->create_tabular(as(researcher_a_), other, csv_, {.label_column = "outcome"}).status().code(),
            ErrorCode::forbidden);
  // Public datasets are readable by everybody's researchers, changeable only by the owner.
  auto pub = meta("shared");
  pub.visibility = "public";
  auto shared = store_->create_tabular(as(researcher_a_), pub, csv_, {.label_column = "outcome"}).value();
  EXPECT_TRUE(store_->get(as(researcher_b_), shared.id).is_ok());
  EXPECT_TRUE(store_->export_table(as(researcher_b_), shared.id, 1).is_ok());
  EXPECT_EQ(store_->freeze(as(researcher_b_), shared.id, 1).status().code(), ErrorCode::forbidden);
  EXPECT_EQ(store_->remove(as(researcher_b_), shared.id).code(), ErrorCode::forbidden);
}

TEST_F(DatasetStoreTest, ExportPseudonymisesPatientsAndKeepsTheSplit) {
  auto ds = store_->create_tabular(as(researcher_a_), meta("ex"), csv_,
                                   {.label_column = "outcome", .group_column = std::string("patient")})
                .value();
  auto all = store_->export_table(as(researcher_a_), ds.id, 1);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->rows, 10);
  EXPECT_EQ(all->csv.find("P1,"), std::string::npos) << "patient ids replaced";
  auto table = parse_csv(all->csv).value();
  EXPECT_EQ(table.header.back(), "split");
  EXPECT_EQ(table.rows[0][0], table.rows[1][0]) << "same patient, same pseudonym";
  EXPECT_EQ(table.rows[0].back(), table.rows[1].back()) << "same patient, same split";
  auto test_only = store_->export_table(as(researcher_a_), ds.id, 1, Split::test);
  ASSERT_TRUE(test_only.is_ok());
  const CsvTable test_rows = parse_csv(test_only->csv).value();
  EXPECT_FALSE(test_rows.rows.empty());
  for (const auto& r : test_rows.rows) EXPECT_EQ(r.back(), "test");
  auto events = access::list_audit_events(*catalog_, as(admin_), 100, 0).value();
  int exports = 0;
  for (const auto& e : events) exports += e.action == "dataset.export";
  EXPECT_EQ(exports, 2);
}

TEST_F(DatasetStoreTest, DeleteHidesTheDatasetAndKeepsTheAuditTrail) {
  auto ds = store_->create_tabular(as(researcher_a_), meta("gone"), csv_, {.label_column = "outcome"}).value();
  ASSERT_TRUE(store_->remove(as(researcher_a_), ds.id).is_ok());
  EXPECT_EQ(store_->get(as(researcher_a_), ds.id).status().code(), ErrorCode::not_found);
  auto events = access::list_audit_events(*catalog_, as(admin_), 100, 0).value();
  bool created = false, deleted = false;
  for (const auto& e : events) {
    created |= e.action == "dataset.create" && e.resource_id == ds.id;
    deleted |= e.action == "dataset.delete" && e.resource_id == ds.id;
  }
  EXPECT_TRUE(created && deleted);
  // The name can be reused after deletion.
  EXPECT_TRUE(store_->create_tabular(as(researcher_a_), meta("gone"), csv_, {.label_column = "outcome"}).is_ok());
}

TEST_F(DatasetStoreTest, BlobGarbageCollectionKeepsDatasetContent) {
  auto ds = store_->create_tabular(as(researcher_a_), meta("kept"), csv_, {.label_column = "outcome"}).value();
  auto orphan = blobs_->put("left behind by a crash").value();
  auto removed = storage::collect_unreferenced_blobs(*catalog_, *blobs_, std::chrono::seconds(0));
  ASSERT_TRUE(removed.is_ok()) << removed.status().to_string();
  EXPECT_EQ(*removed, 1u);
  EXPECT_FALSE(blobs_->exists(orphan.sha256));
  EXPECT_TRUE(store_->export_table(as(researcher_a_), ds.id, 1).is_ok()) << "dataset content survived";
}

TEST_F(DatasetStoreTest, ImportsTheReferenceDataFromDebianPackages) {
  auto imported = import_reference_datasets(*store_, as(admin_), inst_a_.id);
  ASSERT_TRUE(imported.is_ok()) << imported.status().to_string();
  ASSERT_EQ(imported->size(), 3u);
  for (const auto& r : *imported) EXPECT_EQ(r.outcome, "imported") << r.name << ": " << r.detail;
  auto by_name = [&](const std::string& name) {
    return store_->find(as(researcher_b_), inst_a_.id, name).value().value();
  };
  // Published sizes: PimaIndiansDiabetes2 768 rows; Pima.tr 200 + Pima.te 332; WDBC 569 (212 malignant).
  auto mlbench = store_->get_version(as(researcher_b_), by_name("pima-diabetes-mlbench").id, 1).value();
  EXPECT_EQ(mlbench.item_count, 768);
  EXPECT_EQ(mlbench.state, "frozen");
  EXPECT_GT(mlbench.stats["columns"][4]["missing"].get<int>(), 300) << "insulin has 374 NAs";
  auto mass = store_->get_version(as(researcher_b_), by_name("pima-diabetes-mass").id, 1).value();
  EXPECT_EQ(mass.stats["splits"]["train"], 200);
  EXPECT_EQ(mass.stats["splits"]["test"], 332);
  EXPECT_EQ(mass.stats["splits"]["validation"], 0);
  auto wdbc = store_->get_version(as(researcher_b_), by_name("breast-cancer-wisconsin").id, 1).value();
  EXPECT_EQ(wdbc.item_count, 569);
  int malignant = 0;
  for (const auto& [split, n] : wdbc.stats["labels"]["malignant"].items()) malignant += n.get<int>();
  EXPECT_EQ(malignant, 212);
  Dataset d = by_name("pima-diabetes-mass");
  EXPECT_NE(d.licence.find("GPL"), std::string::npos);
  EXPECT_NE(d.source.find("r-cran-mass"), std::string::npos);
  // Importing again changes nothing.
  auto again = import_reference_datasets(*store_, as(admin_), inst_a_.id).value();
  for (const auto& r : again) EXPECT_EQ(r.outcome, "present");
}

}  // namespace
}  // namespace medai::datasets

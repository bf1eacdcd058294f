#pragma once
// A real SQLite catalog + blob store in a temp folder with an InstanceStore.
#include <gtest/gtest.h>

#include <memory>

#include "dicom/instance_store.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"
#include "support/dicom_fixture.h"
#include "support/temp_dir.h"

namespace medai::dicom {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override { open(DuplicatePolicy::reject); }
  void open(DuplicatePolicy policy) {
    store_.reset();
    if (!catalog_) {
      auto catalog = storage::open_sqlite_catalog({.path = dir_ / "catalog.sqlite"});
      ASSERT_TRUE(catalog) << catalog.status().to_string();
      catalog_ = std::move(*catalog);
      auto blobs = storage::BlobStore::open(dir_ / "blobs");
      ASSERT_TRUE(blobs);
      blobs_ = std::make_unique<storage::BlobStore>(std::move(*blobs));
    }
    store_ = std::make_unique<InstanceStore>(*catalog_, *blobs_, policy);
  }
  static access::Principal member_of(const std::string& institution) {
    access::Principal p;
    p.user_id = "usr_" + institution;
    p.institution_id = institution;
    p.roles = {access::Role::doctor};
    return p;
  }
  static IngestContext context(const std::string& institution) {
    return {.institution_id = institution, .user_id = "usr_" + institution, .protocol = "stow"};
  }
  IngestResult put(const testing::TestInstance& t, const std::string& institution = "inst-a") {
    bytes_.push_back(testing::make_dicom(t));
    return store_->ingest({bytes_.back(), {}}, context(institution));
  }
  std::int64_t count(const std::string& table) {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    return tx->query_one("SELECT COUNT(*) AS n FROM " + table).value()->get_int("n");
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Catalog> catalog_;
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<InstanceStore> store_;
  std::vector<std::string> bytes_;
};

}  // namespace medai::dicom

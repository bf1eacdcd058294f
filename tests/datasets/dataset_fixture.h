#pragma once
// AccessFixture plus what every dataset test stands on: a blob store, the
// dataset store and the DICOM instance store over the same catalog.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "../access/access_fixture.h"
#include "datasets/dataset_store.h"
#include "dicom/instance_store.h"
#include "storage/blob_store.h"

namespace medai::datasets {

class DatasetFixture : public access::AccessFixture {
 protected:
  void SetUp() override {
    AccessFixture::SetUp();
    auto blobs = storage::BlobStore::open(dir_ / "blobs");
    ASSERT_TRUE(blobs.is_ok()) << blobs.status().to_string();
    blobs_ = std::make_unique<storage::BlobStore>(std::move(*blobs));
    store_ = std::make_unique<DatasetStore>(*catalog_, *blobs_, std::string(64, 'a'));
    dicom_ = std::make_unique<dicom::InstanceStore>(*catalog_, *blobs_, dicom::DuplicatePolicy::reject);
  }

  // A whole file, or "" when it cannot be read.
  static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<DatasetStore> store_;
  std::unique_ptr<dicom::InstanceStore> dicom_;
};

}  // namespace medai::datasets

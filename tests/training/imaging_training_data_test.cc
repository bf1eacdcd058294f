// Imaging datasets as TrainingData: items carry the series references and
// labels of the frozen version, and series_files() hands the trainer the
// stored files of an image series and of its annotation (SEG) series.
#include "training/imaging_training_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "../access/access_fixture.h"
#include "datasets/dataset_store.h"
#include "synth/study_output.h"

namespace medai::training {
namespace {

namespace fs = std::filesystem;

class ImagingTrainingDataTest : public access::AccessFixture {};

TEST_F(ImagingTrainingDataTest, ItemsAndSeriesFilesOfAFrozenVersion) {
  auto blobs = storage::BlobStore::open(dir_ / "blobs");
  ASSERT_TRUE(blobs.is_ok());
  dicom::InstanceStore dicom(*catalog_, *blobs, dicom::DuplicatePolicy::reject);
  datasets::DatasetStore store(*catalog_, *blobs, std::string(64, 'a'));
  auto researcher = make_user(inst_a_, "res", {access::Role::researcher});

  medai::testing::TempDir studies;
  std::vector<std::string> bytes;
  bytes.reserve(200);
  std::vector<dicom::IngestItem> items;
  for (int i = 0; i < 4; ++i) {
    synth::StudyOptions options{.small = true, .threads = 2, .min_nodules = i < 2 ? 1 : 0, .slices = 16};
    auto gt = synth::write_study("chest-ct", 5, i, options, studies.path() / ("s" + std::to_string(i)));
    ASSERT_TRUE(gt.is_ok()) << gt.status().to_string();
  }
  for (const auto& e : fs::recursive_directory_iterator(studies.path())) {
    if (e.path().extension() != ".dcm") continue;
    std::ifstream in(e.path(), std::ios::binary);
    bytes.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    items.push_back({bytes.back(), {}});
  }
  for (const auto& r : dicom.ingest_batch(items, {.institution_id = inst_a_.id, .user_id = "u", .protocol = "upload"}))
    ASSERT_TRUE(r.ok()) << r.error.to_string();

  datasets::ImagingSpec spec;
  spec.selection.modalities = {"CT"};
  spec.split = {.train = 0.5, .validation = 0.25, .test = 0.25, .seed = 3};
  auto ds = store.create_imaging(as(researcher),
                                 {.name = "ct", .description = "d", .data_use = "research", .licence = "internal",
                                  .source = "test"},
                                 spec);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  ASSERT_TRUE(store.freeze(as(researcher), ds->id, 1).is_ok());

  auto data = ImagingTrainingData::load(*catalog_, dicom, ds->id, 1);
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();
  EXPECT_EQ((*data)->kind(), "imaging");
  ASSERT_EQ((*data)->items().size(), 4u);
  int annotated = 0;
  for (const auto& item : (*data)->items()) {
    EXPECT_FALSE(item.split.empty());
    EXPECT_FALSE(item.label.empty());
    auto files = (*data)->series_files(item.ref["study_uid"], item.ref["series_uid"]);
    ASSERT_TRUE(files.is_ok()) << files.status().to_string();
    EXPECT_EQ(static_cast<std::int64_t>(files->size()), item.ref["instances"].get<std::int64_t>());
    EXPECT_GT(files->size(), 10u);
    for (const auto& f : *files) EXPECT_TRUE(fs::exists(f));
    for (const auto& a : item.ref["annotations"]) {
      ++annotated;
      auto seg = (*data)->series_files(item.ref["study_uid"], a["series_uid"]);
      ASSERT_TRUE(seg.is_ok());
      EXPECT_EQ(seg->size(), 1u);
    }
  }
  EXPECT_GE(annotated, 2);  // the two studies drawn with at least one nodule carry a SEG
  EXPECT_EQ((*data)->series_files("1.2.3", "4.5.6").status().code(), ErrorCode::not_found);
}

}  // namespace
}  // namespace medai::training

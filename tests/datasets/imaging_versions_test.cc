// New versions of imaging datasets (stored selection re-run, split
// stability, what was added and removed), the per-split counts in the
// dataset list, and datasets from server-side import folders (traversal and
// symlink refusal, a corrupt file reported per file).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "dataset_fixture.h"
#include "datasets/dataset_store.h"
#include "datasets/folder_import.h"
#include "dicom/instance_store.h"
#include "synth/study_output.h"

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Six small chest CTs of six patients, generated once for the suite.
fs::path studies_dir() {
  static testing::TempDir dir;
  static bool generated = [] {
    for (int i = 0; i < 6; ++i) {
      synth::StudyOptions options{.small = true, .threads = 2, .min_nodules = i % 2, .slices = 12};
      auto gt = synth::write_study("chest-ct", 31, i, options, dir.path() / ("study" + std::to_string(i)));
      if (!gt) ADD_FAILURE() << gt.status().to_string();
    }
    return true;
  }();
  (void)generated;
  return dir.path();
}

class ImagingVersionsTest : public DatasetFixture {
 protected:
  void SetUp() override {
    DatasetFixture::SetUp();
    researcher_ = make_user(inst_a_, "res-v", {access::Role::researcher});
  }
  // Ingests study i; returns its Study Instance UID.
  std::string ingest_study(int i) {
    std::vector<std::string> bytes;
    std::vector<dicom::IngestItem> items;
    for (const auto& e : fs::recursive_directory_iterator(studies_dir() / ("study" + std::to_string(i))))
      if (e.path().extension() == ".dcm") bytes.push_back(slurp(e.path()));
    for (const auto& b : bytes) items.push_back({b, {}});
    std::string study;
    for (const auto& r : dicom_->ingest_batch(items, {.institution_id = inst_a_.id, .user_id = "u", .protocol = "upload"})) {
      EXPECT_TRUE(r.ok()) << r.error.to_string();
      study = r.keys.study_uid;
    }
    return study;
  }
  NewDataset meta(const std::string& name) {
    return {.name = name, .description = "d", .data_use = "research", .licence = "internal", .source = "test"};
  }
  // Series UID → split of a version.
  std::map<std::string, std::string> splits_of(const std::string& id, std::int64_t version) {
    std::map<std::string, std::string> out;
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    const auto rows =
        tx->query("SELECT split, ref FROM dataset_items WHERE dataset_id = $1 AND version = $2", {id, version}).value();
    for (const auto& r : rows)
      out[json::parse(r.get_text("ref"))["series_uid"].get<std::string>()] = r.get_text("split");
    return out;
  }
  access::User researcher_;
};

TEST_F(ImagingVersionsTest, NewVersionRerunsTheSelectionAndKeepsEveryPatientInItsSplit) {
  for (int i = 0; i < 4; ++i) ingest_study(i);
  ImagingSpec spec;
  spec.selection.modalities = {"CT"};
  spec.split = {.train = 0.5, .validation = 0.25, .test = 0.25, .seed = 9};
  auto ds = store_->create_imaging(as(researcher_), meta("growing"), spec);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->latest_items, 4) << "the answer carries the latest version's counts";
  ASSERT_TRUE(store_->freeze(as(researcher_), ds->id, 1).is_ok());
  const auto v1 = splits_of(ds->id, 1);

  ingest_study(4);
  ingest_study(5);
  auto v2 = store_->add_imaging_version(as(researcher_), ds->id, {});
  ASSERT_TRUE(v2.is_ok()) << v2.status().to_string();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->state, "draft");
  EXPECT_EQ(v2->item_count, 6);
  const json& changes = v2->stats["changes"];
  EXPECT_EQ(changes["previous_version"], 1);
  EXPECT_EQ(changes["kept_series"], 4);
  EXPECT_EQ(changes["added_series"], 2);
  EXPECT_EQ(changes["new_patients"], 2);
  EXPECT_EQ(changes["removed_series"], 0);
  ASSERT_EQ(changes["added"].size(), 2u);
  EXPECT_EQ(v2->split["seed"], 9) << "the split settings carry over";
  const auto splits2 = splits_of(ds->id, 2);
  for (const auto& [series, split] : v1) EXPECT_EQ(splits2.at(series), split) << "a v1 patient changed split";
  for (const auto& a : changes["added"]) EXPECT_EQ(splits2.at(a["series_uid"].get<std::string>()), a["split"]);
  EXPECT_EQ(store_->get_version(as(researcher_), ds->id, 1)->item_count, 4) << "version 1 is unchanged";

  // A new, narrower selection: what it drops is reported as removed.
  ImagingVersionSpec narrower;
  ImagingSelection sel;
  sel.study_uids = {ingest_study(0), ingest_study(5)};  // already present: ingest is idempotent
  narrower.selection = sel;
  auto v3 = store_->add_imaging_version(as(researcher_), ds->id, narrower);
  ASSERT_TRUE(v3.is_ok()) << v3.status().to_string();
  EXPECT_EQ(v3->item_count, 2);
  EXPECT_EQ(v3->stats["changes"]["removed_series"], 4);
  EXPECT_EQ(v3->stats["changes"]["added_series"], 0);

  // The list carries the latest version's counts per split.
  auto list = store_->list(as(researcher_), {});
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  const json entry = to_json(list->front());
  EXPECT_EQ(entry["latest"]["version"], 3);
  EXPECT_EQ(entry["latest"]["items"], 2);
  EXPECT_EQ(entry["latest"]["state"], "draft");
  const json& s = entry["latest"]["splits"];
  EXPECT_EQ(s["train"].get<int>() + s["validation"].get<int>() + s["test"].get<int>(), 2);
  int expected_test = 0;
  for (const auto& [series, split] : splits_of(ds->id, 3)) expected_test += split == "test";
  EXPECT_EQ(s["test"], expected_test);

  // Only the owner's institution may add versions; tabular calls are refused for imaging datasets.
  auto other = make_user(inst_b_, "res-o", {access::Role::researcher});
  EXPECT_EQ(store_->add_imaging_version(as(other), ds->id, {}).status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->add_tabular_version(as(researcher_), ds->id, "a,b\n1,2\n", {.label_column = "b"}).status().code(),
            ErrorCode::conflict);
  auto doctor = as(doctor_a_);
  EXPECT_EQ(store_->add_imaging_version(doctor, ds->id, {}).status().code(), ErrorCode::forbidden);
}

TEST_F(ImagingVersionsTest, LabelTablesCarryOverAndNewSeriesNeedLabels) {
  std::map<std::string, std::string> labels;
  for (int i = 0; i < 4; ++i) labels[ingest_study(i)] = i % 2 ? "nodule" : "clear";
  ImagingSpec spec;
  spec.selection.modalities = {"CT"};
  spec.labels = labels;
  auto ds = store_->create_imaging(as(researcher_), meta("labelled"), spec);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  const std::string s4 = ingest_study(4), s5 = ingest_study(5);
  auto missing = store_->add_imaging_version(as(researcher_), ds->id, {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(missing.status().detail()["unlabelled_series"], 2);
  ImagingVersionSpec with_labels;
  with_labels.labels = {{s4, "clear"}, {s5, "nodule"}};
  auto v2 = store_->add_imaging_version(as(researcher_), ds->id, with_labels);
  ASSERT_TRUE(v2.is_ok()) << v2.status().to_string();
  EXPECT_EQ(v2->schema["label_source"], "label_table");
  int nodules = 0;
  for (const auto& [label, per_split] : v2->stats["labels"].items())
    if (label == "nodule")
      for (const auto& [split, n] : per_split.items()) nodules += n.get<int>();
  EXPECT_EQ(nodules, 3) << "two from version 1, one new";
}

class FolderImportTest : public ImagingVersionsTest {
 protected:
  void SetUp() override {
    ImagingVersionsTest::SetUp();
    root_ = dir_ / "import-root";
    folder_ = root_ / inst_a_.id / "batch-1";
    fs::create_directories(folder_ / "nested");
    for (int i = 0; i < 2; ++i)
      fs::copy(studies_dir() / ("study" + std::to_string(i)), folder_ / (i ? "nested/s1" : "s0"),
               fs::copy_options::recursive);
    for (const auto& gt : {folder_ / "s0" / "ground_truth.json", folder_ / "nested/s1/ground_truth.json"})
      fs::remove(gt);
    std::ofstream(folder_ / "nested" / "corrupt.dcm") << "DICM? no: not a DICOM file";
    // Outside the root, reached by links.
    fs::create_directories(dir_ / "outside");
    fs::copy(studies_dir() / "study2", dir_ / "outside" / "s2", fs::copy_options::recursive);
    fs::create_directory_symlink(dir_ / "outside", folder_ / "linked-folder");
    fs::create_directory_symlink(dir_ / "outside", root_ / inst_a_.id / "link");
  }
  std::int64_t stored_studies() {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    return tx->query_one("SELECT COUNT(*) AS n FROM dicom_studies").value()->get_int("n");
  }
  fs::path root_, folder_;
};

TEST_F(FolderImportTest, TraversalAndSymlinksOutOfTheRootAreRefused) {
  auto reason = [&](const std::string& inst, const std::string& rel) {
    auto r = resolve_import_folder(root_, inst, rel);
    EXPECT_FALSE(r.is_ok()) << rel;
    if (r) return std::string("ok");
    EXPECT_EQ(r.status().code(), ErrorCode::forbidden) << rel << ": " << r.status().to_string();
    return r.status().detail().value("reason", "");
  };
  EXPECT_EQ(reason(inst_a_.id, "../" + inst_b_.id), "outside_import_root");
  EXPECT_EQ(reason(inst_a_.id, "batch-1/../../x"), "outside_import_root");
  EXPECT_EQ(reason(inst_a_.id, "/etc"), "outside_import_root");
  EXPECT_EQ(reason(inst_a_.id, "link"), "symlink");
  EXPECT_EQ(reason(inst_a_.id, "batch-1/linked-folder"), "symlink");
  EXPECT_EQ(reason(inst_a_.id, "link/s2"), "symlink");
  auto off = resolve_import_folder("", inst_a_.id, "batch-1");
  ASSERT_FALSE(off.is_ok());
  EXPECT_EQ(off.status().detail()["reason"], "import_folders_disabled");
  EXPECT_EQ(resolve_import_folder(root_, inst_a_.id, "no-such").status().code(), ErrorCode::not_found);
  // Institution B's folder is its own: A's batch is not visible under it.
  EXPECT_EQ(resolve_import_folder(root_, inst_b_.id, "batch-1").status().code(), ErrorCode::not_found);
  auto ok = resolve_import_folder(root_, inst_a_.id, "./batch-1/");
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ(*ok, fs::canonical(folder_));
}

TEST_F(FolderImportTest, FolderBecomesADatasetOfExactlyItsStudiesWithFailuresPerFile) {
  ingest_study(3);  // stored before: not part of the folder, so not in the dataset
  ImagingSpec spec;
  spec.split = {.train = 0.5, .validation = 0.5, .test = 0, .seed = 1};
  // A doctor may not: nothing is read or stored.
  auto refused = create_imaging_from_folder(*store_, *dicom_, as(doctor_a_), meta("by-doctor"), spec, root_,
                                            "batch-1", 1000);
  EXPECT_EQ(refused.status().code(), ErrorCode::forbidden);
  EXPECT_EQ(stored_studies(), 1);

  auto made = create_imaging_from_folder(*store_, *dicom_, as(researcher_), meta("from-folder"), spec, root_,
                                         "batch-1", 1000);
  ASSERT_TRUE(made.is_ok()) << made.status().to_string();
  const auto& imp = made->import;
  EXPECT_EQ(imp.failed, 2) << "the corrupt file and the folder link";
  EXPECT_EQ(imp.stored + imp.already_present + imp.failed, imp.files);
  EXPECT_GT(imp.stored, 20);
  EXPECT_EQ(imp.study_uids.size(), 2u);
  std::map<std::string, std::string> failures;
  for (const auto& f : imp.failures) failures[f.file] = f.error;
  EXPECT_EQ(failures["nested/corrupt.dcm"], "invalid_dicom");
  EXPECT_EQ(failures["linked-folder"], "forbidden");
  EXPECT_EQ(stored_studies(), 3) << "study 2 behind the link was not read";
  auto v = store_->get_version(as(researcher_), made->dataset.id, 1);
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(v->item_count, 2) << "exactly the folder's two studies, not the one stored before";
  EXPECT_EQ(v->schema["selection"]["study_uids"].size(), 2u);

  // Audited with counts only.
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto ev = tx->query_one("SELECT detail FROM audit_events WHERE action = 'dataset.import_folder'").value();
  ASSERT_TRUE(ev.has_value());
  const json detail = json::parse(ev->get_text("detail"));
  EXPECT_EQ(detail["failed"], 2);
  EXPECT_EQ(ev->get_text("detail").find("corrupt"), std::string::npos);

  // Too many files: refused before anything is stored.
  auto too_many = create_imaging_from_folder(*store_, *dicom_, as(researcher_), meta("too-many"), spec, root_,
                                             "batch-1", 3);
  EXPECT_EQ(too_many.status().code(), ErrorCode::payload_too_large);
}

}  // namespace
}  // namespace medai::datasets

// Imaging datasets from stored series: selection from the DICOM index,
// labels from the annotation objects that reference each series, grouped
// split, tenancy, and the de-identified DICOM export (nothing identifying
// survives; annotations still reference their images after UID remapping).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "dataset_fixture.h"
#include "datasets/dataset_store.h"
#include "datasets/imaging_selection.h"
#include "dicom/instance_store.h"
#include "dicom/parse.h"
#include "dicom/zip_reader.h"
#include "synth/study_output.h"

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;

std::string text_of(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  item.findAndGetOFString(tag, v);
  return v.c_str();
}

class ImagingDatasetTest : public DatasetFixture {
 protected:
  void SetUp() override {
    DatasetFixture::SetUp();
    researcher_a_ = make_user(inst_a_, "res-a", {access::Role::researcher});
    researcher_b_ = make_user(inst_b_, "res-b", {access::Role::researcher});
    // Four small chest CTs of four patients (generated once for the suite);
    // two with nodules, so with a SEG.
    std::vector<dicom::IngestItem> items;
    std::vector<bool> is_seg;
    files_.reserve(1000);
    for (const auto& e : fs::recursive_directory_iterator(studies_dir())) {
      if (e.path().extension() != ".dcm") continue;
      const bool seg = e.path().filename() == "seg.dcm";
      const std::string study = e.path().lexically_relative(studies_dir()).begin()->string();
      if (seg && (study == "study2" || study == "study3")) continue;  // these two stay unannotated
      files_.push_back(slurp(e.path()));
      items.push_back({files_.back(), {}});
      is_seg.push_back(seg);
    }
    auto results = dicom_->ingest_batch(items, {.institution_id = inst_a_.id, .user_id = "u", .protocol = "upload"});
    for (std::size_t i = 0; i < results.size(); ++i) {
      ASSERT_TRUE(results[i].ok()) << results[i].error.to_string();
      if (is_seg[i]) seg_studies_.insert(results[i].keys.study_uid);
      studies_.insert(results[i].keys.study_uid);
    }
    ASSERT_EQ(studies_.size(), 4u);
    ASSERT_EQ(seg_studies_.size(), 2u);
  }
  static fs::path studies_dir() {
    static testing::TempDir dir;
    static bool generated = [] {
      for (int i = 0; i < 4; ++i) {
        synth::StudyOptions options{.small = true, .threads = 2, .min_nodules = i < 2 ? 1 : 0, .slices = 24};
        auto gt = synth::write_study("chest-ct", 7, i, options, dir.path() / ("study" + std::to_string(i)));
        if (!gt) ADD_FAILURE() << gt.status().to_string();
      }
      return true;
    }();
    (void)generated;
    return dir.path();
  }
  NewDataset meta(const std::string& name) {
    return {.name = name, .description = "d", .data_use = "research", .licence = "internal", .source = "test"};
  }
  ImagingSpec ct_spec() {
    ImagingSpec spec;
    spec.selection.modalities = {"CT"};
    spec.split = {.train = 0.5, .validation = 0.25, .test = 0.25, .seed = 3};
    return spec;
  }
  access::User researcher_a_, researcher_b_;
  std::set<std::string> studies_, seg_studies_;
  std::vector<std::string> files_;
};

TEST_F(ImagingDatasetTest, SeriesAreLabelledByTheAnnotationsThatReferenceThem) {
  auto series = select_imaging_series(*catalog_, *blobs_, inst_a_.id, ct_spec().selection);
  ASSERT_TRUE(series.is_ok()) << series.status().to_string();
  ASSERT_EQ(series->size(), 4u);  // the SEG series are labels, not items
  for (const auto& s : *series) {
    EXPECT_EQ(s.modality, "CT");
    EXPECT_EQ(s.annotations.empty(), seg_studies_.count(s.study_uid) == 0) << "study " << s.study_uid;
    for (const auto& a : s.annotations) EXPECT_EQ(a.kind, "SEG");
  }

  auto ds = store_->create_imaging(as(researcher_a_), meta("chest-ct"), ct_spec());
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->kind, "imaging");
  auto v = store_->get_version(as(researcher_a_), ds->id, 1);
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(v->item_count, 4);
  EXPECT_EQ(v->stats["patients"], 4);
  EXPECT_EQ(v->stats["annotated_series"].get<std::size_t>(), seg_studies_.size());
  int seg_items = 0;
  for (const auto& [label, per_split] : v->stats["labels"].items())
    for (const auto& [split, n] : per_split.items())
      if (label == "SEG") seg_items += n.get<int>();
  EXPECT_EQ(seg_items, static_cast<int>(seg_studies_.size()));
}

TEST_F(ImagingDatasetTest, LabelTablesMustCoverEverySeriesAndOtherInstitutionsSeeNothing) {
  ImagingSpec spec = ct_spec();
  for (const auto& uid : studies_) spec.labels[uid] = seg_studies_.count(uid) ? "nodule" : "clear";
  auto ds = store_->create_imaging(as(researcher_a_), meta("labelled"), spec);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  auto v = store_->get_version(as(researcher_a_), ds->id, 1);
  EXPECT_TRUE(v->stats["labels"].contains("nodule"));
  EXPECT_TRUE(v->stats["labels"].contains("clear"));

  spec.labels.erase(spec.labels.begin());
  auto partial = store_->create_imaging(as(researcher_a_), meta("partial"), spec);
  ASSERT_FALSE(partial.is_ok());
  EXPECT_EQ(partial.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(partial.status().detail()["unlabelled_series"], 1);

  // Institution B stores nothing: its selection is empty, A's series stay invisible.
  auto other = store_->create_imaging(as(researcher_b_), meta("stolen"), ct_spec());
  ASSERT_FALSE(other.is_ok());
  EXPECT_EQ(other.status().code(), ErrorCode::invalid_argument);
  // B cannot read or export A's dataset either.
  EXPECT_EQ(store_->export_imaging(as(researcher_b_), ds->id, 1, std::nullopt, dir_ / "b.zip").status().code(),
            ErrorCode::not_found);
  EXPECT_FALSE(fs::exists(dir_ / "b.zip"));

  ImagingSpec strict = ct_spec();
  strict.require_annotations = true;
  EXPECT_EQ(store_->create_imaging(as(researcher_a_), meta("strict"), strict).status().code(),
            ErrorCode::invalid_argument);
}

TEST_F(ImagingDatasetTest, ExportIsDeidentifiedAndKeepsAnnotationReferences) {
  auto ds = store_->create_imaging(as(researcher_a_), meta("export-me"), ct_spec());
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  const fs::path zip = dir_ / "export.zip";
  auto out = store_->export_imaging(as(researcher_a_), ds->id, 1, std::nullopt, zip);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->series, 4);

  // What identified the patients in the store.
  std::set<std::string> identifiers;
  {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    const auto rows = tx->query("SELECT patient_id, patient_name, accession_number FROM dicom_studies").value();
    for (const auto& r : rows)
      for (const char* c : {"patient_id", "patient_name", "accession_number"})
        if (r.get_text(c).size() >= 4) identifiers.insert(r.get_text(c));
  }
  ASSERT_FALSE(identifiers.empty());

  std::int64_t dicom_files = 0;
  bool labels_csv = false;
  std::map<std::string, std::string> series_of_folder;  // CT folder → exported CT series UID
  std::vector<std::pair<std::string, std::set<std::string>>> seg_refs;  // folder, referenced series
  const std::string archive = slurp(zip);
  Status s = dicom::for_each_zip_file(archive, {}, [&](const std::string& name, std::string bytes) -> Status {
    for (const auto& id : identifiers) EXPECT_EQ(bytes.find(id), std::string::npos) << name << " keeps an identifier";
    for (const auto& uid : studies_) EXPECT_EQ(bytes.find(uid), std::string::npos) << name << " keeps a study UID";
    if (name == "labels.csv") labels_csv = true;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".dcm") return Status::ok();
    ++dicom_files;
    auto parsed = dicom::parse_dicom(bytes);
    EXPECT_TRUE(parsed.is_ok()) << name;
    if (!parsed) return Status::ok();
    const std::string folder = name.substr(0, name.rfind('/'));
    if (parsed->keys().sop_class_uid == UID_SegmentationStorage) {
      std::set<std::string> refs;
      DcmItem* item = nullptr;
      for (int k = 0; parsed->dataset().findAndGetSequenceItem(DCM_ReferencedSeriesSequence, item, k).good(); ++k)
        refs.insert(text_of(*item, DCM_SeriesInstanceUID));
      seg_refs.emplace_back(folder.substr(0, folder.rfind('/')), refs);  // strip "/annotations"
    } else {
      series_of_folder[folder] = parsed->keys().series_uid;
    }
    return Status::ok();
  });
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_TRUE(labels_csv);
  EXPECT_EQ(dicom_files, out->instances);
  EXPECT_EQ(series_of_folder.size(), 4u);
  ASSERT_EQ(seg_refs.size(), seg_studies_.size());
  for (const auto& [folder, refs] : seg_refs) {
    ASSERT_TRUE(series_of_folder.count(folder)) << folder;
    EXPECT_TRUE(refs.count(series_of_folder[folder])) << "the SEG must reference its exported CT series";
  }

  // Exporting is audited.
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto n = tx->query_one("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'dataset.export'").value();
  EXPECT_EQ(n->get_int("n"), 1);
}

}  // namespace
}  // namespace medai::datasets

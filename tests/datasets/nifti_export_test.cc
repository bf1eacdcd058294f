// NIfTI export of imaging datasets: the affine equals the DICOM geometry
// (axial and sagittal series, read back with nifticlib), label maps equal the
// SEG masks voxel for voxel, nothing identifying in any byte, and an
// independent read-back with nibabel (python3-nibabel) of shapes, affines and
// label voxel counts.
#include <dcmtk/config/osconfig.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "dataset_fixture.h"
#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "datasets/dataset_store.h"
#include "datasets/nifti_volume.h"
#include "dicom/instance_store.h"
#include "dicom/zip_reader.h"
#include "imaging/series_fixture.h"
#include "imaging/series_volume.h"
#include "nifti_test_support.h"
#include "support/dicom_tools.h"
#include "synth/study_output.h"

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// World (RAS) position of voxel (i,j,k) by a NIfTI matrix.
imaging::Vec3 apply(const mat44& m, double i, double j, double k) {
  return {m.m[0][0] * i + m.m[0][1] * j + m.m[0][2] * k + m.m[0][3],
          m.m[1][0] * i + m.m[1][1] * j + m.m[1][2] * k + m.m[1][3],
          m.m[2][0] * i + m.m[2][1] * j + m.m[2][2] * k + m.m[2][3]};
}

// A series written slice by slice with DCMTK; returns the files in write order.
struct WrittenSeries {
  std::vector<fs::path> files;
  std::vector<testing::SliceSpec> slices;
};

WrittenSeries write_series(const fs::path& dir, const std::array<double, 6>& orientation, imaging::Vec3 first,
                           imaging::Vec3 step, int count) {
  fs::create_directories(dir);
  WrittenSeries out;
  for (int k = 0; k < count; ++k) {
    testing::SliceSpec s;
    s.orientation = orientation;
    s.position = first + step * k;
    s.rows = 6;
    s.columns = 5;
    s.row_spacing = 0.7;
    s.column_spacing = 0.8;
    s.instance = count - k;  // instance numbers against position order: the loader must sort by position
    s.series_uid = "1.2.826.0.1.3680043.10.77." + std::to_string(static_cast<int>(orientation[1] * 10 + 20));
    s.sop_uid = s.series_uid + "." + std::to_string(k + 1);
    s.stored = [k](int i, int j) { return 1000 + i + 10 * j + 100 * k; };
    out.files.push_back(dir / ("slice" + std::to_string(k) + ".dcm"));
    testing::write_slice(s, out.files.back());
    out.slices.push_back(s);
  }
  return out;
}

// Loads the series, writes it as NIfTI, reads it back with nifticlib and
// checks every voxel's world position against the DICOM attributes of its
// file, and the values (stored - 1024 HU).
void expect_geometry_matches_dicom(const WrittenSeries& w, const fs::path& scratch) {
  auto sv = imaging::load_series_volume(w.files);
  ASSERT_TRUE(sv.is_ok()) << sv.status().to_string();
  const fs::path out = scratch / "image.nii.gz";
  auto written = write_nifti_image(sv->volume, out);
  ASSERT_TRUE(written.is_ok()) << written.status().to_string();
  EXPECT_EQ(written->datatype, "int16");
  Nim nim(nifti_image_read(out.c_str(), 1));
  ASSERT_TRUE(nim);
  EXPECT_EQ(nim->nx, 5);
  EXPECT_EQ(nim->ny, 6);
  EXPECT_EQ(nim->nz, static_cast<int>(w.files.size()));
  EXPECT_EQ(nim->qform_code, NIFTI_XFORM_SCANNER_ANAT);
  EXPECT_EQ(nim->sform_code, NIFTI_XFORM_SCANNER_ANAT);
  EXPECT_NEAR(nim->dx, 0.8, 1e-5);  // pixdim = column spacing, row spacing, slice gap
  EXPECT_NEAR(nim->dy, 0.7, 1e-5);
  EXPECT_NEAR(nim->dz, sv->slice_spacing_mm, 1e-5);
  EXPECT_EQ(std::string(nim->descrip), "medai dataset export");
  EXPECT_EQ(nim->num_ext, 0);
  const auto* values = static_cast<const std::int16_t*>(nim->data);
  for (int k = 0; k < nim->nz; ++k) {
    const auto& s = w.slices[sv->source_index[k]];
    const imaging::Vec3 row{s.orientation[0], s.orientation[1], s.orientation[2]};
    const imaging::Vec3 col{s.orientation[3], s.orientation[4], s.orientation[5]};
    for (int j = 0; j < nim->ny; ++j)
      for (int i = 0; i < nim->nx; ++i) {
        // DICOM: IPP + i * column spacing * row direction + j * row spacing * column direction (LPS).
        const imaging::Vec3 lps = s.position + row * (i * s.column_spacing) + col * (j * s.row_spacing);
        const imaging::Vec3 ras{-lps.x, -lps.y, lps.z};
        for (const mat44* m : {&nim->qto_xyz, &nim->sto_xyz}) {
          const imaging::Vec3 p = apply(*m, i, j, k);
          ASSERT_NEAR(p.x, ras.x, 1e-3) << "voxel " << i << "," << j << "," << k;
          ASSERT_NEAR(p.y, ras.y, 1e-3);
          ASSERT_NEAR(p.z, ras.z, 1e-3);
        }
        ASSERT_EQ(values[(static_cast<std::size_t>(k) * nim->ny + j) * nim->nx + i], s.stored(i, j) - 1024);
      }
  }
}

TEST(NiftiVolumeTest, AxialAffineEqualsTheDicomGeometry) {
  testing::TempDir dir;
  auto w = write_series(dir.path() / "axial", {1, 0, 0, 0, 1, 0}, {-20.5, 33.25, -101}, {0, 0, 2.5}, 4);
  expect_geometry_matches_dicom(w, dir.path());
}

TEST(NiftiVolumeTest, SagittalAffineEqualsTheDicomGeometry) {
  // Rows run anterior → posterior, columns superior → inferior; slices along -x (right).
  testing::TempDir dir;
  auto w = write_series(dir.path() / "sagittal", {0, 1, 0, 0, 0, -1}, {12, -40, 75}, {-1.5, 0, 0}, 5);
  expect_geometry_matches_dicom(w, dir.path());
}

TEST(NiftiVolumeTest, NonIntegralValuesAreFloatAndLabelsAreIntegers) {
  testing::TempDir dir;
  imaging::Volume<float> v(3, 2, 2, 0.5f);
  v.spacing = {1.5, 2, 3};
  auto image = write_nifti_image(v, dir.path() / "f.nii.gz");
  ASSERT_TRUE(image.is_ok());
  EXPECT_EQ(image->datatype, "float32");
  imaging::Volume<std::uint16_t> labels(3, 2, 2, 0);
  labels.at(1, 1, 1) = 300;
  auto wide = write_nifti_labels(labels, dir.path() / "l.nii.gz");
  ASSERT_TRUE(wide.is_ok());
  EXPECT_EQ(wide->datatype, "uint16");
  Nim nim(nifti_image_read((dir.path() / "l.nii.gz").c_str(), 1));
  ASSERT_TRUE(nim);
  EXPECT_EQ(nim->intent_code, NIFTI_INTENT_LABEL);
  EXPECT_EQ(static_cast<const std::uint16_t*>(nim->data)[labels.index(1, 1, 1)], 300);
  EXPECT_FALSE(write_nifti_image(v, dir.path() / "wrong.txt").is_ok());
}

class NiftiExportTest : public DatasetFixture {
 protected:
  void SetUp() override {
    DatasetFixture::SetUp();
    researcher_ = make_user(inst_a_, "res-n", {access::Role::researcher});
    std::vector<dicom::IngestItem> items;
    files_.reserve(2000);
    for (const auto& e : fs::recursive_directory_iterator(studies_dir())) {
      if (e.path().extension() != ".dcm") continue;
      files_.push_back(slurp(e.path()));
      items.push_back({files_.back(), {}});
    }
    for (const auto& r : dicom_->ingest_batch(items, {.institution_id = inst_a_.id, .user_id = "u", .protocol = "upload"}))
      ASSERT_TRUE(r.ok()) << r.error.to_string();
  }
  // Three small chest CTs (two with nodules, so a SEG) and one RT plan (RTSTRUCT + SEG).
  static fs::path studies_dir() {
    static testing::TempDir dir;
    static bool generated = [] {
      for (int i = 0; i < 3; ++i) {
        synth::StudyOptions options{.small = true, .threads = 2, .min_nodules = i < 2 ? 1 : 0, .slices = 20};
        auto gt = synth::write_study("chest-ct", 21, i, options, dir.path() / ("ct" + std::to_string(i)));
        if (!gt) ADD_FAILURE() << gt.status().to_string();
      }
      auto rt = synth::write_study("rt", 5, 0, {.small = true, .threads = 2}, dir.path() / "rt0");
      if (!rt) ADD_FAILURE() << rt.status().to_string();
      return true;
    }();
    (void)generated;
    return dir.path();
  }
  std::string make_dataset() {
    ImagingSpec spec;
    spec.selection.modalities = {"CT"};
    spec.split = {.train = 0.5, .validation = 0.25, .test = 0.25, .seed = 2};
    auto ds = store_->create_imaging(as(researcher_), {.name = "nifti-ct", .description = "d", .data_use = "research",
                                                       .licence = "internal", .source = "test"},
                                     spec);
    EXPECT_TRUE(ds.is_ok()) << ds.status().to_string();
    return ds ? ds->id : "";
  }
  // Items of version 1 with a SEG or RTSTRUCT, and those with a SEG only.
  std::pair<int, int> annotated_items(const std::string& id) {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    const auto rows = tx->query("SELECT ref FROM dataset_items WHERE dataset_id = $1 AND version = 1", {id}).value();
    int labelled = 0, seg_only = 0;
    for (const auto& r : rows) {
      std::set<std::string> kinds;
      const json ref = json::parse(r.get_text("ref"));
      for (const auto& a : ref["annotations"]) kinds.insert(a["kind"].get<std::string>());
      labelled += kinds.count("SEG") || kinds.count("RTSTRUCT");
      seg_only += kinds.count("SEG") && !kinds.count("RTSTRUCT");
    }
    return {labelled, seg_only};
  }
  std::map<std::string, std::string> unzip(const fs::path& zip) {
    std::map<std::string, std::string> out;
    Status s = dicom::for_each_zip_file(slurp(zip), {}, [&](const std::string& name, std::string bytes) -> Status {
      out[name] = std::move(bytes);
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return out;
  }
  access::User researcher_;
  std::vector<std::string> files_;
};

TEST_F(NiftiExportTest, LabelMapsEqualTheSegMasksAndNothingIdentifiesThePatient) {
  const std::string id = make_dataset();
  ASSERT_FALSE(id.empty());
  const fs::path zip = dir_ / "nifti.zip";
  auto out = store_->export_nifti(as(researcher_), id, 1, std::nullopt, zip);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto [labelled, seg_only] = annotated_items(id);
  ASSERT_GE(seg_only, 2) << "at least two chest CTs with nodules";
  EXPECT_EQ(out->images, 4);
  EXPECT_EQ(out->label_maps, labelled) << "the chest CTs with a SEG and the RT plan";
  EXPECT_EQ(out->label_errors, 0);
  auto entries = unzip(zip);
  ASSERT_TRUE(entries.count("manifest.json") && entries.count("labels.json") && entries.count("labels.csv"));
  const json manifest = json::parse(entries["manifest.json"]);
  const json labels_json = json::parse(entries["labels.json"]);
  std::map<std::string, int> value_of;
  for (const auto& [v, name] : labels_json["structures"].items()) value_of[name.get<std::string>()] = std::stoi(v);
  ASSERT_FALSE(value_of.empty());

  // What identified the patients in the store, and the original UIDs.
  std::set<std::string> identifiers;
  {
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    const auto studies =
        tx->query("SELECT patient_id, patient_name, accession_number, study_uid FROM dicom_studies").value();
    for (const auto& r : studies)
      for (const char* c : {"patient_id", "patient_name", "accession_number", "study_uid"})
        if (r.get_text(c).size() >= 4) identifiers.insert(r.get_text(c));
    const auto series = tx->query("SELECT series_uid FROM dicom_series").value();
    for (const auto& r : series)
      identifiers.insert(r.get_text("series_uid"));
  }
  for (const auto& [name, bytes] : entries) {
    const std::string plain = name.size() > 7 && name.substr(name.size() - 7) == ".nii.gz" ? gunzip(bytes) : bytes;
    ASSERT_FALSE(plain.empty()) << name;
    for (const auto& ident : identifiers) {
      EXPECT_EQ(plain.find(ident), std::string::npos) << name << " holds an identifier or original UID";
      EXPECT_EQ(name.find(ident), std::string::npos) << "file name " << name;
    }
  }

  // Every label map equals the SEG masks of its series (read with the SEG reader on the original files).
  int compared = 0;
  for (const auto& item : manifest["items"]) {
    if (item["labels"].is_null()) continue;
    Nim labels = read_nifti_bytes(entries[item["labels"].get<std::string>()], dir_.path());
    Nim image = read_nifti_bytes(entries[item["image"].get<std::string>()], dir_.path());
    ASSERT_TRUE(labels && image);
    EXPECT_EQ(labels->nvox, image->nvox);
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) EXPECT_FLOAT_EQ(labels->sto_xyz.m[r][c], image->sto_xyz.m[r][c]);
    if (item["modality"] != "CT" || item["structures"].size() == 0) continue;
    // The item's original series: by its position in the dataset.
    auto tx = catalog_->begin(storage::TxMode::read_only).value();
    const auto row = tx->query_one("SELECT ref FROM dataset_items WHERE dataset_id = $1 AND item_index = $2",
                                   {id, item["item"].get<std::int64_t>()})
                         .value();
    const json ref = json::parse(row->get_text("ref"));
    std::vector<fs::path> files;
    const auto instances =
        tx->query("SELECT blob_sha256 FROM dicom_instances WHERE series_uid = $1", {ref["series_uid"].get<std::string>()})
            .value();
    for (const auto& r : instances)
      files.push_back(blobs_->path_of(r.get_text("blob_sha256")).value());
    auto geometry = annotations::source_series_from_files(files);
    ASSERT_TRUE(geometry.is_ok());
    bool has_rtstruct = false;
    for (const auto& a : ref["annotations"]) has_rtstruct |= a["kind"] == "RTSTRUCT";
    if (has_rtstruct) continue;  // the RT plan: SEG and RTSTRUCT overlap, compared by counts below
    imaging::Volume<std::uint16_t> expected = geometry->empty_mask().like<std::uint16_t>(0);
    for (const auto& a : ref["annotations"]) {
      const auto seg_row = tx->query_one("SELECT blob_sha256 FROM dicom_instances WHERE sop_instance_uid = $1",
                                         {a["sop_instance_uid"].get<std::string>()})
                               .value();
      auto seg = annotations::read_seg(slurp(blobs_->path_of(seg_row->get_text("blob_sha256")).value()), *geometry);
      ASSERT_TRUE(seg.is_ok()) << seg.status().to_string();
      for (std::size_t s = 0; s < seg->masks.size(); ++s)
        for (std::size_t v = 0; v < seg->masks[s].data.size(); ++v)
          if (seg->masks[s].data[v]) expected.data[v] = static_cast<std::uint16_t>(value_of.at(seg->segments[s].label));
    }
    ASSERT_EQ(static_cast<std::size_t>(labels->nvox), expected.data.size());
    const auto* got = static_cast<const std::uint8_t*>(labels->data);
    std::size_t mismatches = 0, foreground = 0;
    for (std::size_t v = 0; v < expected.data.size(); ++v) {
      mismatches += got[v] != expected.data[v];
      foreground += expected.data[v] != 0;
    }
    EXPECT_GT(foreground, 0u);
    EXPECT_EQ(mismatches, 0u) << "label map differs from the SEG (Dice < 1)";
    ++compared;
  }
  EXPECT_EQ(compared, seg_only);

  // Exporting is audited with the format.
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto n = tx->query_one("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'dataset.export' AND "
                         "detail LIKE '%nifti-zip%'")
               .value();
  EXPECT_EQ(n->get_int("n"), 1);
}

TEST_F(NiftiExportTest, OneSplitKeepsTheStructureNumberingOfTheWholeVersion) {
  const std::string id = make_dataset();
  auto all = store_->export_nifti(as(researcher_), id, 1, std::nullopt, dir_ / "all.zip");
  ASSERT_TRUE(all.is_ok());
  auto train = store_->export_nifti(as(researcher_), id, 1, Split::train, dir_ / "train.zip");
  ASSERT_TRUE(train.is_ok()) << train.status().to_string();
  EXPECT_LT(train->images, all->images);
  EXPECT_EQ(json::parse(unzip(dir_ / "all.zip")["labels.json"])["structures"],
            json::parse(unzip(dir_ / "train.zip")["labels.json"])["structures"]);
  for (const auto& [name, bytes] : unzip(dir_ / "train.zip"))
    if (name.rfind("images/", 0) == 0 || name.rfind("labels/", 0) == 0) {
      EXPECT_EQ(name.find("/train/"), 6u) << name;
    }
  // Another institution sees nothing.
  auto other = make_user(inst_b_, "res-other", {access::Role::researcher});
  EXPECT_EQ(store_->export_nifti(as(other), id, 1, std::nullopt, dir_ / "b.zip").status().code(), ErrorCode::not_found);
  EXPECT_FALSE(fs::exists(dir_ / "b.zip"));
}

TEST_F(NiftiExportTest, NibabelReadsShapesAffinesAndLabelCounts) {
  if (testing::run_command("/usr/bin/python3 -c 'import nibabel'").exit_code != 0)
    GTEST_SKIP() << "python3-nibabel is not installed (scripts/install-deps.sh)";
  const std::string id = make_dataset();
  const fs::path zip = dir_ / "peer.zip";
  ASSERT_TRUE(store_->export_nifti(as(researcher_), id, 1, std::nullopt, zip).is_ok());
  const fs::path script = dir_ / "read.py";
  std::ofstream(script) << R"(import gzip, io, json, sys, zipfile
import nibabel as nib, numpy as np
out = {}
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if not name.endswith('.nii.gz'):
            continue
        img = nib.Nifti1Image.from_bytes(gzip.decompress(z.read(name)))
        data = np.asanyarray(img.dataobj)
        entry = {'shape': list(img.shape), 'affine': img.affine.tolist(),
                 'qform_code': int(img.header['qform_code']), 'sform_code': int(img.header['sform_code']),
                 'qform': img.get_qform().tolist(), 'zooms': [float(z) for z in img.header.get_zooms()],
                 'descrip': img.header['descrip'].tobytes().decode('latin-1').rstrip('\x00')}
        if name.startswith('labels/'):
            values, counts = np.unique(data, return_counts=True)
            entry['counts'] = {str(int(v)): int(c) for v, c in zip(values, counts) if v != 0}
        out[name] = entry
print(json.dumps(out))
)";
  const auto run = testing::run_command("/usr/bin/python3 " + script.string() + " " + zip.string(), 120);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json peer = json::parse(run.output.substr(run.output.find('{')));
  const json manifest = json::parse(unzip(zip)["manifest.json"]);
  int images = 0, label_maps = 0;
  for (const auto& item : manifest["items"]) {
    const json& img = peer.at(item["image"].get<std::string>());
    EXPECT_EQ(img["shape"], item["shape"]);
    EXPECT_EQ(img["qform_code"], 1);
    EXPECT_EQ(img["sform_code"], 1);
    EXPECT_EQ(img["descrip"], "medai dataset export");
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(img["zooms"][a].get<double>(), item["spacing"][a].get<double>(), 1e-4);
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) {
        EXPECT_NEAR(img["affine"][r][c].get<double>(), item["affine"][r * 4 + c].get<double>(), 1e-3);
        EXPECT_NEAR(img["qform"][r][c].get<double>(), item["affine"][r * 4 + c].get<double>(), 1e-3);
      }
    ++images;
    if (item["labels"].is_null()) continue;
    const json& lab = peer.at(item["labels"].get<std::string>());
    EXPECT_EQ(lab["shape"], item["shape"]);
    EXPECT_EQ(lab["affine"], img["affine"]);
    EXPECT_EQ(lab["counts"], item["voxels"]) << "label voxel counts as nibabel sees them";
    EXPECT_FALSE(lab["counts"].empty());
    ++label_maps;
  }
  EXPECT_EQ(images, 4);
  EXPECT_EQ(label_maps, annotated_items(id).first);
}

}  // namespace
}  // namespace medai::datasets

#include "imaging/series_volume.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "imaging/series_fixture.h"
#include "support/temp_dir.h"
#include "synth/chest_ct.h"
#include "synth/ct_writer.h"

namespace medai::imaging {
namespace {

using testing::SliceSpec;
using testing::TempDir;

constexpr int kSlices = 6;

// A regular axial series: slice k at z = -40 + 2.5 k, written in a shuffled
// file order with Instance Numbers that do not follow the position.
std::vector<SliceSpec> axial_series() {
  std::vector<SliceSpec> specs;
  for (int k = 0; k < kSlices; ++k) {
    SliceSpec s;
    s.position = {-20.5, -30.25, -40 + 2.5 * k};
    s.instance = 100 - k;  // reverse of the position order
    s.stored = [k](int i, int j) { return 1000 + i + 10 * j + 100 * k; };
    specs.push_back(s);
  }
  return specs;
}

std::vector<std::filesystem::path> write_all(const TempDir& dir, const std::vector<SliceSpec>& specs,
                                             unsigned shuffle_seed = 7) {
  std::vector<std::filesystem::path> files;
  for (std::size_t n = 0; n < specs.size(); ++n) {
    files.push_back(dir / ("slice" + std::to_string(n) + ".dcm"));
    testing::write_slice(specs[n], files.back());
  }
  std::mt19937 rng(shuffle_seed);
  std::shuffle(files.begin(), files.end(), rng);
  return files;
}

std::string reason_of(const Status& s) {
  return s.detail().is_object() && s.detail().contains("reason") ? s.detail()["reason"].get<std::string>() : "";
}

TEST(SeriesVolume, AxialSeriesInShuffledOrderHasExactGeometryAndHu) {
  TempDir dir;
  auto files = write_all(dir, axial_series());
  auto r = load_series_volume(files);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const Volume<float>& v = r->volume;
  EXPECT_EQ(v.nx, 5);
  EXPECT_EQ(v.ny, 4);
  EXPECT_EQ(v.nz, kSlices);
  EXPECT_DOUBLE_EQ(v.spacing[0], 0.8);  // column spacing = Pixel Spacing[1]
  EXPECT_DOUBLE_EQ(v.spacing[1], 0.7);  // row spacing = Pixel Spacing[0]
  EXPECT_NEAR(v.spacing[2], 2.5, 1e-9);
  EXPECT_NEAR(r->slice_spacing_mm, 2.5, 1e-9);
  ASSERT_TRUE(r->slice_thickness_mm.has_value());
  EXPECT_DOUBLE_EQ(*r->slice_thickness_mm, 1.25);
  EXPECT_DOUBLE_EQ(v.origin[0], -20.5);
  EXPECT_DOUBLE_EQ(v.origin[1], -30.25);
  EXPECT_DOUBLE_EQ(v.origin[2], -40);
  EXPECT_EQ(v.direction, (std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(r->modality, "CT");
  EXPECT_EQ(r->series_instance_uid, "1.2.826.0.1.3680043.10.1.1");
  EXPECT_EQ(r->frame_of_reference_uid, "1.2.826.0.1.3680043.10.4");
  for (int k = 0; k < kSlices; ++k) {
    // Slice k in position order has instance number 100 - k.
    EXPECT_EQ(r->sop_instance_uids[k], "1.2.826.0.1.3680043.10.2." + std::to_string(100 - k));
    EXPECT_EQ(files[r->source_index[k]].filename().string(), "slice" + std::to_string(k) + ".dcm");
    for (int j = 0; j < v.ny; ++j)
      for (int i = 0; i < v.nx; ++i) ASSERT_EQ(v.at(i, j, k), 1000 + i + 10 * j + 100 * k - 1024);
  }
  const Vec3 p = v.position(4, 3, 5);
  EXPECT_NEAR(p.x, -20.5 + 4 * 0.8, 1e-9);
  EXPECT_NEAR(p.y, -30.25 + 3 * 0.7, 1e-9);
  EXPECT_NEAR(p.z, -40 + 5 * 2.5, 1e-9);
}

TEST(SeriesVolume, BuffersGiveTheSameVolumeAsFiles) {
  TempDir dir;
  auto files = write_all(dir, axial_series(), 3);
  std::vector<std::string> bytes;
  for (const auto& f : files) bytes.push_back(testing::read_bytes(f));
  std::vector<std::string_view> views(bytes.begin(), bytes.end());
  auto a = load_series_volume(files);
  auto b = load_series_volume(views);
  ASSERT_TRUE(a.is_ok() && b.is_ok()) << b.status().to_string();
  EXPECT_EQ(a->volume.data, b->volume.data);
  EXPECT_EQ(a->volume.origin, b->volume.origin);
  EXPECT_EQ(a->sop_instance_uids, b->sop_instance_uids);
}

TEST(SeriesVolume, CompressedTransferSyntaxesDecodeToTheSameValues) {
  for (const char* transfer : {"jpeg-lossless", "rle"}) {
    TempDir dir;
    auto specs = axial_series();
    for (auto& s : specs) s.transfer = transfer;
    auto r = load_series_volume(write_all(dir, specs));
    ASSERT_TRUE(r.is_ok()) << transfer << ": " << r.status().to_string();
    for (int k = 0; k < kSlices; ++k)
      for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 5; ++i) ASSERT_EQ(r->volume.at(i, j, k), 1000 + i + 10 * j + 100 * k - 1024) << transfer;
  }
}

TEST(SeriesVolume, SignedPixelsAndFractionalRescaleArePerSlice) {
  TempDir dir;
  auto specs = axial_series();
  for (int k = 0; k < kSlices; ++k) {
    specs[k].is_signed = true;
    specs[k].slope = 0.5;
    specs[k].intercept = 10 + k;  // rescale may change from slice to slice
    specs[k].stored = [](int i, int j) { return static_cast<std::uint16_t>(static_cast<std::int16_t>(-50 + i - j)); };
  }
  auto r = load_series_volume(write_all(dir, specs));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  for (int k = 0; k < kSlices; ++k)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) ASSERT_FLOAT_EQ(r->volume.at(i, j, k), (-50 + i - j) * 0.5f + 10 + k);
}

TEST(SeriesVolume, SagittalSeriesKeepsItsDirectionMatrix) {
  // Rows run anterior→posterior (+y), columns superior→inferior (-z): the
  // normal row × column is -x, so slices are ordered by decreasing x.
  TempDir dir;
  std::vector<SliceSpec> specs;
  for (int k = 0; k < 4; ++k) {
    SliceSpec s;
    s.orientation = {0, 1, 0, 0, 0, -1};
    s.position = {30.0 - 3 * k, -100, 50};
    s.instance = k + 1;
    s.stored = [k](int i, int j) { return 2000 + k; };
    specs.push_back(s);
  }
  auto r = load_series_volume(write_all(dir, specs));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const Volume<float>& v = r->volume;
  EXPECT_EQ(v.direction, (std::array<double, 9>{0, 0, -1, 1, 0, 0, 0, -1, 0}));
  EXPECT_NEAR(v.spacing[2], 3, 1e-9);
  EXPECT_EQ(v.at(0, 0, 0), 2000 - 1024);
  const Vec3 p = v.position(2, 1, 3);  // slice k=3 is x = 21
  EXPECT_NEAR(p.x, 21, 1e-9);
  EXPECT_NEAR(p.y, -100 + 2 * 0.8, 1e-9);
  EXPECT_NEAR(p.z, 50 - 1 * 0.7, 1e-9);
  const Vec3 back = v.voxel(p);
  EXPECT_NEAR(back.x, 2, 1e-9);
  EXPECT_NEAR(back.y, 1, 1e-9);
  EXPECT_NEAR(back.z, 3, 1e-9);
}

TEST(SeriesVolume, SyntheticChestCtRoundTripsExactly) {
  synth::ChestCtOptions o;
  o.small = true;
  o.threads = 2;
  const synth::ChestCtStudy study = synth::generate_chest_ct(21, o);
  TempDir dir;
  const auto id = synth::make_identity(21, "chest-ct", 0, 60, false, "test");
  synth::CtSeriesOptions so;
  so.series = {"1.2.826.0.1.3680043.10.9.1", "CT", "axial", 1};
  so.uid_label = "t";
  auto written = synth::write_ct_series(study.hu, id, so, dir.path());
  ASSERT_TRUE(written.is_ok()) << written.status().to_string();
  auto files = written->files;
  std::reverse(files.begin(), files.end());
  auto r = load_series_volume(files);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->volume.nz, study.hu.nz);
  EXPECT_NEAR(r->volume.spacing[2], study.hu.spacing[2], 1e-4);
  EXPECT_NEAR(r->volume.origin[2], study.hu.origin[2], 1e-4);
  EXPECT_EQ(r->sop_instance_uids, written->sop_uids);
  std::size_t differ = 0;
  for (std::size_t n = 0; n < study.hu.data.size(); ++n)
    differ += r->volume.data[n] != static_cast<float>(std::clamp<int>(study.hu.data[n], -1024, 3071));
  EXPECT_EQ(differ, 0u);
}

// ---- refusals: one per reason -------------------------------------------

Status load_specs(const std::vector<SliceSpec>& specs) {
  TempDir dir;
  return load_series_volume(write_all(dir, specs)).status();
}

void expect_refusal(const std::vector<SliceSpec>& specs, const std::string& reason) {
  const Status s = load_specs(specs);
  EXPECT_EQ(s.code(), ErrorCode::invalid_series) << reason << ": " << s.to_string();
  EXPECT_EQ(reason_of(s), reason) << s.to_string();
  EXPECT_FALSE(s.message().empty());
}

TEST(SeriesVolumeRefusal, TooFewSlices) {
  auto specs = axial_series();
  specs.resize(1);
  expect_refusal(specs, "too_few_slices");
  EXPECT_EQ(reason_of(load_series_volume(std::vector<std::filesystem::path>{}).status()), "too_few_slices");
}

TEST(SeriesVolumeRefusal, MultiFrame) {
  auto specs = axial_series();
  specs[2].frames = 3;
  expect_refusal(specs, "multi_frame");
}

TEST(SeriesVolumeRefusal, MixedSeries) {
  auto specs = axial_series();
  specs[4].series_uid = "1.2.826.0.1.3680043.10.1.2";
  expect_refusal(specs, "mixed_series");
}

TEST(SeriesVolumeRefusal, MissingPosition) {
  auto specs = axial_series();
  specs[1].with_position = false;
  expect_refusal(specs, "missing_position");
}

TEST(SeriesVolumeRefusal, InvalidOrientation) {
  auto specs = axial_series();
  for (auto& s : specs) s.orientation = {1, 0, 0, 1, 0, 0};
  expect_refusal(specs, "invalid_orientation");
}

TEST(SeriesVolumeRefusal, LocalizerMixedInIsAMixedOrientation) {
  auto specs = axial_series();
  SliceSpec loc = specs[0];
  loc.orientation = {1, 0, 0, 0, 0, -1};  // coronal scout
  loc.localizer = true;
  loc.instance = 1;
  specs.push_back(loc);
  const Status s = load_specs(specs);
  EXPECT_EQ(reason_of(s), "mixed_orientation");
  EXPECT_EQ(s.detail()["localizers"], 1);
}

TEST(SeriesVolumeRefusal, MixedSize) {
  auto specs = axial_series();
  specs[3].rows = 6;
  expect_refusal(specs, "mixed_size");
  specs = axial_series();
  specs[3].row_spacing = 0.9;
  expect_refusal(specs, "mixed_size");
}

TEST(SeriesVolumeRefusal, DuplicatePosition) {
  auto specs = axial_series();
  specs[3].position = specs[2].position;
  expect_refusal(specs, "duplicate_position");
}

TEST(SeriesVolumeRefusal, GantryTilt) {
  auto specs = axial_series();
  const double tan15 = std::tan(15.0 * M_PI / 180);
  for (int k = 0; k < kSlices; ++k) specs[k].position.y = -30.25 + 2.5 * k * tan15;
  expect_refusal(specs, "gantry_tilt");
}

TEST(SeriesVolumeRefusal, MissingSliceIsNonUniformSpacing) {
  auto specs = axial_series();
  specs.erase(specs.begin() + 3);
  const Status s = load_specs(specs);
  EXPECT_EQ(reason_of(s), "non_uniform_spacing") << s.to_string();
  EXPECT_NEAR(s.detail()["max_gap_mm"].get<double>(), 5.0, 1e-6);
  EXPECT_NEAR(s.detail()["median_gap_mm"].get<double>(), 2.5, 1e-6);
}

TEST(SeriesVolumeRefusal, NotGrayscale) {
  auto specs = axial_series();
  specs[0].samples = 3;
  expect_refusal(specs, "not_grayscale");
}

TEST(SeriesVolumeRefusal, TooLarge) {
  TempDir dir;
  SeriesLoadOptions o;
  o.max_voxels = 5 * 4 * kSlices - 1;
  const Status s = load_series_volume(write_all(dir, axial_series()), o).status();
  EXPECT_EQ(reason_of(s), "too_large");
  o.max_voxels = 5 * 4 * kSlices;
  EXPECT_TRUE(load_series_volume(write_all(dir, axial_series()), o).is_ok());
}

TEST(SeriesVolumeRefusal, SmallRoundingOfPositionsIsTolerated) {
  auto specs = axial_series();
  specs[2].position.z += 0.004;  // DS rounding in real scanners
  EXPECT_TRUE(load_specs(specs).is_ok());
}

TEST(SeriesVolumeRefusal, NotDicomIsInvalidDicomWithItsIndex) {
  TempDir dir;
  auto files = write_all(dir, axial_series());
  {
    std::ofstream(files[2]) << "this is not DICOM";
  }
  const Status s = load_series_volume(files).status();
  EXPECT_EQ(s.code(), ErrorCode::invalid_dicom) << s.to_string();
  EXPECT_EQ(s.detail()["index"], 2);
  std::vector<std::string_view> views{"garbage", "more garbage"};
  EXPECT_EQ(load_series_volume(views).status().code(), ErrorCode::invalid_dicom);
}

}  // namespace
}  // namespace medai::imaging

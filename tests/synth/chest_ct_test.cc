// Chest CT: ground truth geometry agrees with the voxels, HU in the stated ranges.
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cmath>

#include "synth/chest_ct.h"
#include "synth_fixture.h"

namespace medai::synth {
namespace {

double mean_in_mask(const ChestCtStudy& s, int id) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.hu.data.size(); ++i)
    if (s.nodule_label.data[i] == id) {
      sum += s.hu.data[i];
      ++n;
    }
  return n ? sum / n : NAN;
}

TEST(ChestCt, SmallGeometryAndNodulesInRange) {
  ChestCtOptions o;
  o.small = true;
  o.min_nodules = 3;
  const ChestCtStudy s = generate_chest_ct(11, o);
  EXPECT_EQ(s.hu.nx, 128);
  EXPECT_EQ(s.hu.ny, 128);
  EXPECT_EQ(s.hu.nz, 64);
  ASSERT_GE(s.nodules.size(), 3u);
  EXPECT_LE(s.nodules.size(), 6u);
  for (const Nodule& n : s.nodules) {
    SCOPED_TRACE("nodule " + std::to_string(n.id) + " " + to_string(n.type));
    EXPECT_GE(2 * n.radius, 3.0);
    EXPECT_LE(2 * n.radius, 30.0);
    EXPECT_GT(n.voxel_count, 0u);
    // The centroid voxel (or a neighbour, for concave shapes) carries the label.
    bool found = false;
    for (int dk = -1; dk <= 1; ++dk)
      for (int dj = -1; dj <= 1; ++dj)
        for (int di = -1; di <= 1; ++di) {
          const int i = n.centroid_voxel[0] + di, j = n.centroid_voxel[1] + dj, k = n.centroid_voxel[2] + dk;
          if (i >= 0 && j >= 0 && k >= 0 && i < s.hu.nx && j < s.hu.ny && k < s.hu.nz)
            found = found || s.nodule_label.at(i, j, k) == n.id;
        }
    EXPECT_TRUE(found);
    // Centroid in patient coordinates maps back to the centroid voxel.
    const Vec3 v = s.hu.voxel(n.centroid);
    EXPECT_NEAR(v.x, n.centroid_voxel[0], 0.51);
    EXPECT_NEAR(v.z, n.centroid_voxel[2], 0.51);
    EXPECT_GE(n.malignancy_probability, 0.0);
    EXPECT_LE(n.malignancy_probability, 1.0);
  }
}

// --size: a smaller matrix over the full-size scan's field of view, 2 mm
// slices, same patient and nodule count (the streams are shared).
TEST(ChestCt, ReducedMatrixKeepsFieldOfViewAndAcceptedThickness) {
  ChestCtOptions reduced;
  reduced.matrix = 256;
  reduced.min_nodules = 2;
  const ChestCtStudy s = generate_chest_ct(21, reduced);
  EXPECT_EQ(s.hu.nx, 256);
  EXPECT_EQ(s.hu.ny, 256);
  EXPECT_DOUBLE_EQ(s.hu.spacing[2], 2.0);
  EXPECT_DOUBLE_EQ(s.slice_thickness, 2.0);
  EXPECT_GE(s.hu.spacing[0], 1.2);
  EXPECT_LE(s.hu.spacing[0], 1.8);
  EXPECT_GE(s.hu.nz * 2.0, 278.0);
  EXPECT_LE(s.hu.nz * 2.0, 342.0);
  ASSERT_GE(s.nodules.size(), 2u);
  for (const Nodule& n : s.nodules) EXPECT_GE(2 * n.radius, 4.0);  // 2 x the 2 mm slice
  // Same seed at full size: same field of view and patient.
  ChestCtOptions full;
  full.min_nodules = 2;
  full.slices = 200;  // keeps the full-size render short
  const ChestCtStudy f = generate_chest_ct(21, full);
  EXPECT_NEAR(f.hu.spacing[0] * 512, s.hu.spacing[0] * 256, 1e-9);
  EXPECT_DOUBLE_EQ(f.hu.origin[1] - f.hu.spacing[1] / 2, s.hu.origin[1] - s.hu.spacing[1] / 2);
  EXPECT_EQ(f.patient.age, s.patient.age);
}

TEST(ChestCt, FullResolutionHounsfieldRanges) {
  // Full-size geometry is what users train on: check its HU statistics.
  ChestCtOptions o;
  o.min_nodules = 4;
  const ChestCtStudy s = generate_chest_ct(3, o);
  EXPECT_EQ(s.hu.nx, 512);
  EXPECT_GE(s.hu.nz, 200);
  EXPECT_LE(s.hu.nz, 350);
  EXPECT_GE(s.hu.spacing[0], 0.6);
  EXPECT_LE(s.hu.spacing[0], 0.9);
  EXPECT_GE(s.hu.spacing[2], 1.0);
  EXPECT_LE(s.hu.spacing[2], 2.5);
  for (const Nodule& n : s.nodules) {
    SCOPED_TRACE("nodule " + std::to_string(n.id) + " " + to_string(n.type) + " d=" + std::to_string(2 * n.radius));
    const double m = mean_in_mask(s, n.id);
    if (n.type == NoduleType::solid) {
      EXPECT_GT(m, -150);  // partial volume at the rim pulls the mean down a little
      EXPECT_LT(m, 100);
    } else if (n.type == NoduleType::ground_glass) {
      EXPECT_GT(m, -750);
      EXPECT_LT(m, -200);
    }
    EXPECT_NEAR(n.volume_mm3, 4.0 / 3.0 * 3.14159 * std::pow(n.radius, 3), 4.0 / 3.0 * 3.14159 * std::pow(n.radius, 3) * 1.2);
  }
  // Lung parenchyma: a central axial slice, voxels deep inside the lungs.
  const ChestAnatomy anatomy(s.shape);
  const int k = s.hu.nz / 2;
  const ChestSlice sl = anatomy.slice(s.hu.position(0, 0, k).z);
  std::vector<int> lung;
  for (int j = 0; j < s.hu.ny; j += 2)
    for (int i = 0; i < s.hu.nx; i += 2) {
      const Vec3 p = s.hu.position(i, j, k);
      if (anatomy.lung_sd(p.x, p.y, sl) < -8) lung.push_back(s.hu.at(i, j, k));
    }
  ASSERT_GT(lung.size(), 1000u);
  std::sort(lung.begin(), lung.end());
  const int median = lung[lung.size() / 2];
  EXPECT_GT(median, -900);
  EXPECT_LT(median, -780);
  // Vessels: some lung voxels are soft-tissue dense.
  EXPECT_GT(lung[lung.size() * 995 / 1000], -300);

  // Chest wall on the patient's left at the body's centre line: subcutaneous
  // fat, then muscle (3x3 medians, noise sigma <= 25 HU).
  auto median3 = [&](double x, double y) {
    const Vec3 v = s.hu.voxel({x, y, s.hu.position(0, 0, k).z});
    std::vector<int> vals;
    for (int dj = -1; dj <= 1; ++dj)
      for (int di = -1; di <= 1; ++di)
        vals.push_back(s.hu.at(static_cast<int>(std::lround(v.x)) + di, static_cast<int>(std::lround(v.y)) + dj, k));
    std::sort(vals.begin(), vals.end());
    return vals[4];
  };
  const ChestShape& sh = s.shape;
  const int fat = median3(sh.body_a - sh.fat / 2, sh.body_cy);
  EXPECT_GT(fat, -140);
  EXPECT_LT(fat, -60);
  const int muscle = median3(sh.body_a - sh.fat - sh.wall / 2, sh.body_cy);
  EXPECT_GT(muscle, 0);
  EXPECT_LT(muscle, 95);
  // Outside the patient, above the body: air.
  EXPECT_LT(median3(0, sh.body_cy - sh.body_b_ant - 15), -900);
}

TEST(ChestCt, DicomSliceMatchesGroundTruth) {
  auto& st = testing::small_studies();
  const auto& gt = st.chest;
  ASSERT_FALSE(gt.is_null());
  ASSERT_GE(gt["nodules"].size(), 2u);
  for (const auto& n : gt["nodules"]) {
    const int k = n["slice_index"];
    char name[32];
    std::snprintf(name, sizeof name, "CT%04d.dcm", k + 1);
    DcmFileFormat f;
    ASSERT_TRUE(f.loadFile((st.chest_dir / "ct" / name).c_str()).good());
    DcmDataset* d = f.getDataset();
    OFString sop, ipp;
    d->findAndGetOFString(DCM_SOPInstanceUID, sop);
    EXPECT_EQ(std::string(sop.c_str()), n["sop_instance_uid"].get<std::string>());
    Float64 z = 0;
    ASSERT_TRUE(d->findAndGetFloat64(DCM_ImagePositionPatient, z, 2).good());
    const double spacing_z = gt["ct"]["spacing_mm"][2];
    EXPECT_NEAR(z, n["center_mm"][2].get<double>(), spacing_z / 2 + 0.01);
    Float64 slope = 0, intercept = 0;
    d->findAndGetFloat64(DCM_RescaleSlope, slope);
    d->findAndGetFloat64(DCM_RescaleIntercept, intercept);
    EXPECT_EQ(slope, 1.0);
    EXPECT_EQ(intercept, -1024.0);
  }
}

}  // namespace
}  // namespace medai::synth

// RTSTRUCT: TG-263 names, closed planar contours on CT slice planes that
// reference the CT instance of their plane; contours rasterise back to the masks.
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cmath>
#include <map>

#include "imaging/contours.h"
#include "synth/rt_phantom.h"
#include "synth_fixture.h"

namespace medai::synth {
namespace {
using imaging::inside_even_odd;
using imaging::trace_contours;

namespace fs = std::filesystem;

TEST(RtStruct, ContoursClosedOnSlicePlanesAndReferenceTheirSlice) {
  auto& st = testing::small_studies();
  // z of each CT instance.
  std::map<std::string, double> z_of;
  for (const auto& e : fs::directory_iterator(st.rt_dir / "ct")) {
    DcmFileFormat f;
    ASSERT_TRUE(f.loadFile(e.path().c_str()).good());
    OFString uid;
    Float64 z;
    f.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
    f.getDataset()->findAndGetFloat64(DCM_ImagePositionPatient, z, 2);
    z_of[uid.c_str()] = z;
  }
  DcmFileFormat f;
  ASSERT_TRUE(f.loadFile((st.rt_dir / "rtstruct.dcm").c_str()).good());
  DcmDataset* d = f.getDataset();
  std::vector<std::string> names;
  for (unsigned long i = 0;; ++i) {
    DcmItem* item = nullptr;
    if (d->findAndGetSequenceItem(DCM_StructureSetROISequence, item, static_cast<int>(i)).bad()) break;
    OFString name;
    item->findAndGetOFString(DCM_ROIName, name);
    names.push_back(name.c_str());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"External", "Lung_L", "Lung_R", "SpinalCord", "Heart", "GTV"}));
  std::size_t contours = 0;
  for (int r = 0;; ++r) {
    DcmItem* roi = nullptr;
    if (d->findAndGetSequenceItem(DCM_ROIContourSequence, roi, r).bad()) break;
    int roi_contours = 0;
    for (int c = 0;; ++c) {
      DcmItem* contour = nullptr;
      if (roi->findAndGetSequenceItem(DCM_ContourSequence, contour, c).bad()) break;
      ++roi_contours;
      OFString type, count_s;
      contour->findAndGetOFString(DCM_ContourGeometricType, type);
      EXPECT_EQ(type, "CLOSED_PLANAR");
      contour->findAndGetOFString(DCM_NumberOfContourPoints, count_s);
      const long count = std::atol(count_s.c_str());
      ASSERT_GE(count, 3);
      DcmElement* data = nullptr;
      ASSERT_TRUE(contour->findAndGetElement(DCM_ContourData, data).good());
      ASSERT_EQ(data->getVM(), static_cast<unsigned long>(3 * count));
      DcmItem* img = nullptr;
      ASSERT_TRUE(contour->findAndGetSequenceItem(DCM_ContourImageSequence, img, 0).good());
      OFString ref;
      img->findAndGetOFString(DCM_ReferencedSOPInstanceUID, ref);
      ASSERT_TRUE(z_of.count(ref.c_str())) << "contour references an instance that is not in the CT series";
      const double z_slice = z_of[ref.c_str()];
      for (long p = 0; p < count; ++p) {
        Float64 z = 0;
        data->getFloat64(z, static_cast<unsigned long>(3 * p + 2));
        ASSERT_NEAR(z, z_slice, 1e-3) << "point off its slice plane";
      }
      // Closed: no duplicated closing point, and the polygon has area.
      Float64 x0, y0, xl, yl;
      data->getFloat64(x0, 0);
      data->getFloat64(y0, 1);
      data->getFloat64(xl, static_cast<unsigned long>(3 * (count - 1)));
      data->getFloat64(yl, static_cast<unsigned long>(3 * (count - 1) + 1));
      EXPECT_FALSE(x0 == xl && y0 == yl);
    }
    EXPECT_GT(roi_contours, 0) << "ROI " << names[static_cast<std::size_t>(r)] << " has no contour";
    contours += static_cast<std::size_t>(roi_contours);
  }
  EXPECT_GT(contours, 100u);
}

TEST(RtStruct, ContoursRasteriseBackToTheMasks) {
  RtOptions o;
  o.small = true;
  const RtPhantom ph = generate_rt_phantom(study_seed(7, "rt", 1), o);
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(ph.hu.nx) * ph.hu.ny);
  for (const RtStructure& roi : ph.rois) {
    std::size_t inter = 0, a = 0, b = 0;
    for (int k = 0; k < ph.hu.nz; ++k) {
      const std::uint8_t* s = ph.structures.slice(k);
      for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = (s[i] & roi.bit) ? 1 : 0;
      const auto loops = trace_contours(mask.data(), ph.hu.nx, ph.hu.ny);
      for (int j = 0; j < ph.hu.ny; ++j)
        for (int i = 0; i < ph.hu.nx; ++i) {
          const bool m = mask[static_cast<std::size_t>(j) * ph.hu.nx + i];
          const bool r = inside_even_odd(loops, i, j);
          a += m;
          b += r;
          inter += (m && r);
        }
    }
    ASSERT_GT(a, 0u) << roi.name << " is empty";
    const double dice = 2.0 * inter / (a + b);
    EXPECT_GE(dice, 0.999) << roi.name;
  }
  EXPECT_GT(ph.gtv.voxel_count, 0u);
}

TEST(Contours, SquareWithHoleAndDiagonalPixels) {
  // 5x5 ring with a hole, plus two diagonal pixels that must stay separate.
  const int nx = 9, ny = 7;
  std::vector<std::uint8_t> m(static_cast<std::size_t>(nx * ny), 0);
  for (int j = 1; j <= 5; ++j)
    for (int i = 1; i <= 5; ++i) m[static_cast<std::size_t>(j * nx + i)] = (i == 3 && j == 3) ? 0 : 1;
  m[static_cast<std::size_t>(1 * nx + 7)] = 1;
  m[static_cast<std::size_t>(2 * nx + 8)] = 1;
  const auto loops = trace_contours(m.data(), nx, ny);
  EXPECT_EQ(loops.size(), 4u);  // outer, hole, two single pixels
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i)
      EXPECT_EQ(inside_even_odd(loops, i, j), m[static_cast<std::size_t>(j * nx + i)] != 0) << i << "," << j;
}

}  // namespace
}  // namespace medai::synth

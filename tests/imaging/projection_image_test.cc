#include <gtest/gtest.h>

#include "imaging/series_fixture.h"
#include "imaging/series_volume.h"
#include "support/temp_dir.h"

namespace medai::imaging {
namespace {

// A 3x1 mammogram: stored values 0, 2048, 4095 (12 bit).
std::string write_mg(const testing::TempDir& dir, const char* photometric, bool window, const char* laterality_tag) {
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  d.putAndInsertString(DCM_SOPClassUID, UID_DigitalMammographyXRayImageStorageForPresentation);
  d.putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.10.7.1");
  d.putAndInsertString(DCM_Modality, "MG");
  d.putAndInsertString(DCM_PresentationIntentType, "FOR PRESENTATION");
  d.putAndInsertString(std::string(laterality_tag) == "image" ? DCM_ImageLaterality : DCM_Laterality, "L");
  d.putAndInsertString(DCM_ViewPosition, "CC");
  d.putAndInsertString(DCM_ImagerPixelSpacing, "0.1\\0.085");
  d.putAndInsertUint16(DCM_SamplesPerPixel, 1);
  d.putAndInsertString(DCM_PhotometricInterpretation, photometric);
  d.putAndInsertUint16(DCM_Rows, 1);
  d.putAndInsertUint16(DCM_Columns, 3);
  d.putAndInsertUint16(DCM_BitsAllocated, 16);
  d.putAndInsertUint16(DCM_BitsStored, 12);
  d.putAndInsertUint16(DCM_HighBit, 11);
  d.putAndInsertUint16(DCM_PixelRepresentation, 0);
  if (window) {
    d.putAndInsertString(DCM_WindowCenter, "2048");
    d.putAndInsertString(DCM_WindowWidth, "1024");
  }
  const Uint16 px[3] = {0, 2048, 4095};
  d.putAndInsertUint16Array(DCM_PixelData, px, 3);
  const auto path = dir / "mg.dcm";
  EXPECT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
  return path.string();
}

TEST(ProjectionImage, Monochrome2WithWindowIsWindowedAndMetadataReadOut) {
  testing::TempDir dir;
  auto r = load_projection_image(std::filesystem::path(write_mg(dir, "MONOCHROME2", true, "image")));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->voi, "window");
  EXPECT_EQ(r->laterality, "L");
  EXPECT_EQ(r->view_position, "CC");
  EXPECT_EQ(r->presentation_intent, "FOR PRESENTATION");
  EXPECT_EQ(r->image.nx, 3);
  EXPECT_EQ(r->image.ny, 1);
  EXPECT_DOUBLE_EQ(r->image.spacing[0], 0.085);
  EXPECT_DOUBLE_EQ(r->image.spacing[1], 0.1);
  EXPECT_FLOAT_EQ(r->image.at(0, 0), 0.0f);  // below the window
  EXPECT_NEAR(r->image.at(1, 0), 0.5, 0.01);  // window centre
  EXPECT_FLOAT_EQ(r->image.at(2, 0), 1.0f);  // above the window
}

TEST(ProjectionImage, Monochrome1IsInvertedSoHighIsBlack) {
  testing::TempDir dir;
  const std::string bytes = testing::read_bytes(write_mg(dir, "MONOCHROME1", false, "series"));
  auto r = load_projection_image(std::string_view(bytes));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->voi, "min_max");
  EXPECT_EQ(r->laterality, "L");  // from (0020,0060) when Image Laterality is absent
  EXPECT_FLOAT_EQ(r->image.at(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(r->image.at(2, 0), 0.0f);
}

TEST(ProjectionImage, GarbageIsInvalidDicom) {
  EXPECT_EQ(load_projection_image(std::string_view("not dicom")).status().code(), ErrorCode::invalid_dicom);
}

}  // namespace
}  // namespace medai::imaging

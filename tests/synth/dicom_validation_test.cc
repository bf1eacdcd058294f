// Every generated DICOM object passes the real dciodvfy without errors and
// reads back with DCMTK (including the SEG through dcmseg).
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmseg/segdoc.h>

#include "synth_fixture.h"

namespace medai::synth {
namespace {

namespace fs = std::filesystem;

void expect_valid(const fs::path& file) {
  std::string all;
  const auto errors = testing::dciodvfy_errors(file, &all);
  EXPECT_TRUE(errors.empty()) << file.filename() << ":\n" << all;
  // dciodvfy ran and recognised the IOD (it prints the IOD name first).
  EXPECT_FALSE(all.empty()) << "no dciodvfy output for " << file;
  EXPECT_EQ(all.find("not found"), std::string::npos) << all;
}

TEST(SynthDicom, ChestCtSlicesAndSegPassDciodvfy) {
  auto& st = testing::small_studies();
  expect_valid(st.chest_dir / "ct" / "CT0001.dcm");
  expect_valid(st.chest_dir / "ct" / "CT0032.dcm");
  expect_valid(st.chest_dir / "seg.dcm");
}

TEST(SynthDicom, MammographyViewsPassDciodvfy) {
  auto& st = testing::small_studies();
  for (const char* v : {"RCC", "LCC", "RMLO", "LMLO"}) expect_valid(st.mammo_dir / (std::string(v) + ".dcm"));
}

TEST(SynthDicom, RtPlanningCtStructAndSegPassDciodvfy) {
  auto& st = testing::small_studies();
  expect_valid(st.rt_dir / "ct" / "CT0001.dcm");
  expect_valid(st.rt_dir / "rtstruct.dcm");
  expect_valid(st.rt_dir / "seg.dcm");
}

TEST(SynthDicom, SegReadsBackWithOneSegmentPerNodule) {
  auto& st = testing::small_studies();
  DcmSegmentation* raw = nullptr;
  ASSERT_TRUE(DcmSegmentation::loadFile((st.chest_dir / "seg.dcm").string().c_str(), raw).good());
  std::unique_ptr<DcmSegmentation> seg(raw);
  EXPECT_EQ(seg->getNumberOfSegments(), st.chest["nodules"].size());
  EXPECT_GT(seg->getNumberOfFrames(), 0u);
  OFString for_uid;
  seg->getFrameOfReference().getFrameOfReferenceUID(for_uid);
  EXPECT_EQ(std::string(for_uid.c_str()), st.chest["frame_of_reference_uid"].get<std::string>());
  // Frames hold exactly the labelled voxels: total set pixels = sum of voxel counts.
  std::size_t set = 0;
  for (std::size_t f = 0; f < seg->getNumberOfFrames(); ++f) {
    const DcmIODTypes::Frame* frame = seg->getFrame(f);
    ASSERT_NE(frame, nullptr);
    for (std::size_t b = 0; b < frame->length; ++b) set += static_cast<std::size_t>(__builtin_popcount(frame->pixData[b]));
  }
  std::size_t expected = 0;
  for (const auto& n : st.chest["nodules"]) expected += n["voxel_count"].get<std::size_t>();
  EXPECT_EQ(set, expected);
}

TEST(SynthDicom, MammographyAttributes) {
  auto& st = testing::small_studies();
  for (const auto& v : st.mammo["views"]) {
    DcmFileFormat f;
    ASSERT_TRUE(f.loadFile((st.mammo_dir / v["file"].get<std::string>()).c_str()).good());
    DcmDataset* d = f.getDataset();
    OFString sop_class, lat, pos, rows;
    d->findAndGetOFString(DCM_SOPClassUID, sop_class);
    d->findAndGetOFString(DCM_ImageLaterality, lat);
    d->findAndGetOFString(DCM_ViewPosition, pos);
    EXPECT_EQ(sop_class, UID_DigitalMammographyXRayImageStorageForPresentation);
    EXPECT_EQ(std::string(lat.c_str()), v["image_laterality"].get<std::string>());
    EXPECT_EQ(std::string(pos.c_str()), v["view_position"].get<std::string>());
    Uint16 r = 0, c = 0;
    d->findAndGetUint16(DCM_Rows, r);
    d->findAndGetUint16(DCM_Columns, c);
    EXPECT_EQ(r, 512);
    EXPECT_EQ(c, 416);
  }
}

}  // namespace
}  // namespace medai::synth

// The loader on real conformance files (pydicom's test files): the same MR
// image in six transfer syntaxes (incl. JPEG 2000 lossless, decoded with
// OpenJPEG) gives the same volume, a corrupt JPEG 2000 slice is refused with
// invalid_dicom naming the slice, and CT_small's HU match pydicom's own
// modality LUT.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "imaging/series_fixture.h"
#include "imaging/series_volume.h"
#include "support/temp_dir.h"

namespace medai::imaging {
namespace {

const std::filesystem::path kFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

// Three slices from one file: Image Position z moved by 2 mm per slice and a
// new SOP Instance UID; written in the file's own transfer syntax (compressed
// pixel data stays compressed).
std::vector<std::filesystem::path> three_slices(const testing::TempDir& dir, const std::string& name) {
  std::vector<std::filesystem::path> out;
  for (int k = 0; k < 3; ++k) {
    DcmFileFormat file;
    EXPECT_TRUE(file.loadFile((kFiles / name).c_str()).good()) << name;
    DcmDataset& d = *file.getDataset();
    const E_TransferSyntax xfer = d.getOriginalXfer();
    OFString x, y, z;
    d.findAndGetOFString(DCM_ImagePositionPatient, x, 0);
    d.findAndGetOFString(DCM_ImagePositionPatient, y, 1);
    d.findAndGetOFString(DCM_ImagePositionPatient, z, 2);
    const std::string pos = std::string(x.c_str()) + "\\" + y.c_str() + "\\" + testing::ds_value(std::stod(z.c_str()) + 2 * k);
    d.putAndInsertString(DCM_ImagePositionPatient, pos.c_str());
    d.putAndInsertString(DCM_SOPInstanceUID, ("1.2.826.0.1.3680043.10.8." + std::to_string(k)).c_str());
    out.push_back(dir / (name + std::to_string(k)));
    EXPECT_TRUE(file.saveFile(out.back().c_str(), xfer).good()) << name;
  }
  std::swap(out[0], out[2]);
  return out;
}

bool have_files() { return std::filesystem::exists(kFiles / "MR_small.dcm"); }

TEST(RealFiles, OneImageInSixTransferSyntaxesGivesOneVolume) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  testing::TempDir dir;
  auto reference = load_series_volume(three_slices(dir, "MR_small.dcm"));
  ASSERT_TRUE(reference.is_ok()) << reference.status().to_string();
  EXPECT_EQ(reference->volume.nx, 64);
  EXPECT_NEAR(reference->volume.spacing[2], 2, 1e-6);
  EXPECT_NEAR(reference->volume.origin[2], 6.6406, 1e-6);
  float lo = 1e9, hi = -1e9;
  for (float v : reference->volume.data) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_LT(lo, hi);  // a real image, not zeros
  for (const char* name : {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_bigendian.dcm",
                           "MR_small_implicit.dcm", "MR_small_jp2klossless.dcm"}) {
    auto r = load_series_volume(three_slices(dir, name));
    ASSERT_TRUE(r.is_ok()) << name << ": " << r.status().to_string();
    EXPECT_EQ(r->volume.data, reference->volume.data) << name;
  }
}

TEST(RealFiles, CorruptJpeg2000SliceIsRefusedNamingTheSlice) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  testing::TempDir dir;
  auto files = three_slices(dir, "MR_small_jp2klossless.dcm");
  // Cut the middle slice's codestream in half (the fragment stays well-formed DICOM).
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(files[1].c_str()).good());
  DcmElement* e = nullptr;
  ASSERT_TRUE(file.getDataset()->findAndGetElement(DCM_PixelData, e).good());
  DcmPixelSequence* seq = nullptr;
  ASSERT_TRUE(static_cast<DcmPixelData*>(e)->getEncapsulatedRepresentation(EXS_JPEG2000LosslessOnly, nullptr, seq).good());
  DcmPixelItem* item = nullptr;
  ASSERT_TRUE(seq->getItem(item, 1).good());
  Uint8* data = nullptr;
  ASSERT_TRUE(item->getUint8Array(data).good());
  std::vector<Uint8> half(data, data + (item->getLength() / 4) * 2);
  ASSERT_TRUE(item->putUint8Array(half.data(), static_cast<unsigned long>(half.size())).good());
  ASSERT_TRUE(file.saveFile(files[1].c_str(), EXS_JPEG2000LosslessOnly).good());
  const Status s = load_series_volume(files).status();
  EXPECT_EQ(s.code(), ErrorCode::invalid_dicom) << s.to_string();
  EXPECT_EQ(s.detail().value("reason", ""), "malformed_jpeg2000") << s.to_string();
  EXPECT_EQ(s.detail().value("transfer_syntax", ""), "1.2.840.10008.1.2.4.90");
  EXPECT_TRUE(s.detail().contains("index"));
}

TEST(RealFiles, CtSmallHuMatchPydicom) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  testing::TempDir dir;
  auto r = load_series_volume(three_slices(dir, "CT_small.dcm"));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const std::string script =
      "import pydicom, numpy\n"
      "from pydicom.pixel_data_handlers.util import apply_modality_lut\n"
      "d = pydicom.dcmread('" + (kFiles / "CT_small.dcm").string() + "')\n"
      "hu = apply_modality_lut(d.pixel_array, d).astype(numpy.float64)\n"
      "print(hu.sum(), hu[0,0], hu[64,70], hu[127,127])\n";
  const auto py = dir / "hu.py";
  {
    std::ofstream(py) << script;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("/usr/bin/python3 " + py.string() + " 2>&1").c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  char buf[512] = {0};
  ASSERT_NE(fgets(buf, sizeof buf, pipe.get()), nullptr);
  double sum = 0, a = 0, b = 0, c = 0;
  ASSERT_EQ(std::sscanf(buf, "%lf %lf %lf %lf", &sum, &a, &b, &c), 4) << buf;
  const Volume<float>& v = r->volume;
  double ours = 0;
  for (int j = 0; j < v.ny; ++j)
    for (int i = 0; i < v.nx; ++i) ours += v.at(i, j, 1);
  EXPECT_DOUBLE_EQ(ours, sum);
  EXPECT_EQ(v.at(0, 0, 0), a);
  EXPECT_EQ(v.at(70, 64, 2), b);  // numpy [row, column]
  EXPECT_EQ(v.at(127, 127, 1), c);
}

}  // namespace
}  // namespace medai::imaging

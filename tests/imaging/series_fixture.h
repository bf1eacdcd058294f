#pragma once
// Small DICOM images built inline with DCMTK for the loader tests.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "imaging/volume.h"

namespace medai::testing {

struct SliceSpec {
  imaging::Vec3 position;
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  int rows = 4, columns = 5;
  double row_spacing = 0.7, column_spacing = 0.8;
  std::string series_uid = "1.2.826.0.1.3680043.10.1.1";
  std::string sop_uid;
  int instance = 1;
  double slope = 1, intercept = -1024;
  bool is_signed = false;
  bool localizer = false;
  bool with_position = true;
  int frames = 1;
  int samples = 1;  // header only: the pixel data stays single-sample
  std::string transfer = "explicit";  // explicit | jpeg-lossless | rle
  // Stored value of pixel (column i, row j).
  std::function<int(int, int)> stored = [](int i, int j) { return 1000 + i + 10 * j; };
};

inline std::string ds_value(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

inline void write_slice(const SliceSpec& s, const std::filesystem::path& path) {
  static std::once_flag once;
  std::call_once(once, [] {
    DJEncoderRegistration::registerCodecs();
    DcmRLEEncoderRegistration::registerCodecs();
  });
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  d.putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  d.putAndInsertString(DCM_SOPInstanceUID, s.sop_uid.empty() ? ("1.2.826.0.1.3680043.10.2." + std::to_string(s.instance)).c_str()
                                                            : s.sop_uid.c_str());
  d.putAndInsertString(DCM_Modality, "CT");
  d.putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.10.3");
  d.putAndInsertString(DCM_SeriesInstanceUID, s.series_uid.c_str());
  d.putAndInsertString(DCM_FrameOfReferenceUID, "1.2.826.0.1.3680043.10.4");
  d.putAndInsertString(DCM_InstanceNumber, std::to_string(s.instance).c_str());
  d.putAndInsertString(DCM_ImageType, s.localizer ? "ORIGINAL\\PRIMARY\\LOCALIZER" : "ORIGINAL\\PRIMARY\\AXIAL");
  if (s.with_position) {
    d.putAndInsertString(DCM_ImagePositionPatient, (ds_value(s.position.x) + "\\" + ds_value(s.position.y) + "\\" +
                                                    ds_value(s.position.z)).c_str());
    std::string o;
    for (int n = 0; n < 6; ++n) o += (n ? "\\" : "") + ds_value(s.orientation[n]);
    d.putAndInsertString(DCM_ImageOrientationPatient, o.c_str());
  }
  d.putAndInsertString(DCM_PixelSpacing, (ds_value(s.row_spacing) + "\\" + ds_value(s.column_spacing)).c_str());
  d.putAndInsertString(DCM_SliceThickness, "1.25");
  d.putAndInsertUint16(DCM_SamplesPerPixel, static_cast<Uint16>(s.samples));
  d.putAndInsertString(DCM_PhotometricInterpretation, s.samples == 1 ? "MONOCHROME2" : "RGB");
  d.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(s.rows));
  d.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(s.columns));
  d.putAndInsertUint16(DCM_BitsAllocated, 16);
  d.putAndInsertUint16(DCM_BitsStored, s.is_signed ? 16 : 12);
  d.putAndInsertUint16(DCM_HighBit, s.is_signed ? 15 : 11);
  d.putAndInsertUint16(DCM_PixelRepresentation, s.is_signed ? 1 : 0);
  d.putAndInsertString(DCM_RescaleSlope, ds_value(s.slope).c_str());
  d.putAndInsertString(DCM_RescaleIntercept, ds_value(s.intercept).c_str());
  if (s.frames > 1) d.putAndInsertString(DCM_NumberOfFrames, std::to_string(s.frames).c_str());
  std::vector<Uint16> px(static_cast<std::size_t>(s.rows) * s.columns * s.frames);
  for (int f = 0; f < s.frames; ++f)
    for (int j = 0; j < s.rows; ++j)
      for (int i = 0; i < s.columns; ++i)
        px[(static_cast<std::size_t>(f) * s.rows + j) * s.columns + i] = static_cast<Uint16>(s.stored(i, j));
  d.putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size()));
  E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  if (s.transfer == "jpeg-lossless") {
    xfer = EXS_JPEGProcess14SV1;
    DJ_RPLossless params;
    if (d.chooseRepresentation(xfer, &params).bad()) throw std::runtime_error("JPEG encode failed");
  } else if (s.transfer == "rle") {
    xfer = EXS_RLELossless;
    DcmRLERepresentationParameter params;
    if (d.chooseRepresentation(xfer, &params).bad()) throw std::runtime_error("RLE encode failed");
  }
  if (file.saveFile(path.c_str(), xfer).bad()) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace medai::testing

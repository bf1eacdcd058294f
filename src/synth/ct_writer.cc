#include "synth/ct_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

#include "synth/uid.h"

namespace medai::synth {

Result<WrittenSeries> write_ct_series(const Volume<std::int16_t>& hu, const StudyIdentity& id,
                                      const CtSeriesOptions& options, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create output folder", {{"path", dir.string()}});
  WrittenSeries out;
  out.series_uid = options.series.uid;
  out.sop_class_uid = UID_CTImageStorage;
  out.sop_uids.resize(static_cast<std::size_t>(hu.nz));
  out.files.resize(static_cast<std::size_t>(hu.nz));
  for (int k = 0; k < hu.nz; ++k) {
    out.sop_uids[static_cast<std::size_t>(k)] = synth_uid(id.seed, options.uid_label + "/" + std::to_string(k));
    char name[32];
    std::snprintf(name, sizeof name, "CT%04d.dcm", k + 1);
    out.files[static_cast<std::size_t>(k)] = dir / name;
  }
  SeriesInfo series = options.series;
  series.modality = "CT";
  const std::string spacing = ds(hu.spacing[1]) + "\\" + ds(hu.spacing[0]);
  const std::string windows_c = ds(options.window_center) + "\\40";
  const std::string windows_w = ds(options.window_width) + "\\400";

  std::mutex mu;
  Status first_error;
  auto write_slice = [&](int k, std::vector<Uint16>& pixels) -> Status {
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    put_patient_study(d, id);
    put_series(d, id, series);
    put_equipment(d);
    put_sop_common(d, id, UID_CTImageStorage, out.sop_uids[static_cast<std::size_t>(k)], k + 1);
    d.putAndInsertString(DCM_PatientPosition, "HFS");
    d.putAndInsertString(DCM_BodyPartExamined, options.body_part.c_str());
    d.putAndInsertString(DCM_ProtocolName, options.protocol.c_str());
    d.putAndInsertString(DCM_FrameOfReferenceUID, id.frame_of_reference_uid.c_str());
    d.putAndInsertString(DCM_PositionReferenceIndicator, "");
    d.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
    d.putAndInsertString(DCM_AcquisitionNumber, "1");
    d.putAndInsertString(DCM_AcquisitionDate, id.study_date.c_str());
    d.putAndInsertString(DCM_AcquisitionTime, id.study_time.c_str());
    d.putAndInsertString(DCM_BurnedInAnnotation, "NO");
    d.putAndInsertString(DCM_KVP, "120");
    d.putAndInsertString(DCM_ConvolutionKernel, "SYNTH_B");
    const Vec3 p = hu.position(0, 0, k);
    d.putAndInsertString(DCM_ImagePositionPatient, (ds(p.x) + "\\" + ds(p.y) + "\\" + ds(p.z)).c_str());
    d.putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    d.putAndInsertString(DCM_PixelSpacing, spacing.c_str());
    d.putAndInsertString(DCM_SliceThickness, ds(hu.spacing[2]).c_str());
    d.putAndInsertString(DCM_SpacingBetweenSlices, ds(hu.spacing[2]).c_str());
    d.putAndInsertString(DCM_SliceLocation, ds(p.z).c_str());
    d.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    d.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    d.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(hu.ny));
    d.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(hu.nx));
    d.putAndInsertUint16(DCM_BitsAllocated, 16);
    d.putAndInsertUint16(DCM_BitsStored, 12);
    d.putAndInsertUint16(DCM_HighBit, 11);
    d.putAndInsertUint16(DCM_PixelRepresentation, 0);
    d.putAndInsertString(DCM_RescaleIntercept, "-1024");
    d.putAndInsertString(DCM_RescaleSlope, "1");
    d.putAndInsertString(DCM_RescaleType, "HU");
    d.putAndInsertString(DCM_WindowCenter, windows_c.c_str());
    d.putAndInsertString(DCM_WindowWidth, windows_w.c_str());
    d.putAndInsertString(DCM_WindowCenterWidthExplanation, "LUNG\\MEDIASTINUM");
    d.putAndInsertString(DCM_LossyImageCompression, "00");
    const std::int16_t* s = hu.slice(k);
    const std::size_t n = static_cast<std::size_t>(hu.nx) * hu.ny;
    pixels.resize(n);
    for (std::size_t i = 0; i < n; ++i) pixels[i] = static_cast<Uint16>(std::clamp(s[i] + 1024, 0, 4095));
    d.putAndInsertUint16Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(n));
    return save_dicom(file, out.files[static_cast<std::size_t>(k)]);
  };
  const int threads = std::max(1, options.threads);
  auto work = [&](int t) {
    std::vector<Uint16> pixels;
    for (int k = t; k < hu.nz; k += threads) {
      Status s = write_slice(k, pixels);
      if (!s.is_ok()) {
        std::lock_guard lock(mu);
        if (first_error.is_ok()) first_error = s;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  if (!first_error.is_ok()) return first_error;
  return out;
}

}  // namespace medai::synth

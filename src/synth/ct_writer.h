#pragma once
// Writes a Volume of Hounsfield units as a CT Image Storage series: one file
// per axial slice, Explicit VR Little Endian, unsigned 12-bit stored values
// with RescaleIntercept -1024. Instance k+1 is slice k (inferior first).
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "synth/dicom_common.h"
#include "synth/volume.h"

namespace medai::synth {

struct CtSeriesOptions {
  SeriesInfo series;            // modality is forced to CT
  std::string uid_label;        // prefix for instance UIDs (unique per series)
  double window_center = -600, window_width = 1500;  // first window; second is mediastinal 40/400
  std::string body_part = "CHEST";
  std::string protocol = "Synthetic chest CT";
  int threads = 2;
};

struct WrittenSeries {
  std::string series_uid;
  std::string sop_class_uid;
  std::vector<std::string> sop_uids;  // per slice k
  std::vector<std::filesystem::path> files;
};

Result<WrittenSeries> write_ct_series(const Volume<std::int16_t>& hu, const StudyIdentity& id,
                                      const CtSeriesOptions& options, const std::filesystem::path& dir);

}  // namespace medai::synth

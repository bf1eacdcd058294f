#pragma once
// Writes structure masks (bit flags on a CT's geometry) as an RT Structure
// Set: Structure Set (with the referenced frame of reference, study, series
// and every CT instance in ContourImageSequence), ROI Contour (CLOSED_PLANAR
// contours per slice at the slice's z, each referencing its CT instance) and
// RT ROI Observations. Holes are separate loops (even-odd rule).
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "synth/ct_writer.h"
#include "synth/dicom_common.h"
#include "synth/rt_phantom.h"
#include "synth/volume.h"

namespace medai::synth {

struct RtStructWriteOptions {
  SeriesInfo series;  // modality forced to RTSTRUCT
  std::string sop_uid;
  std::string label = "SYNTH_RT";
};

// Returns the number of contours written per ROI (same order as `rois`).
Result<std::vector<int>> write_rtstruct(const Volume<std::uint8_t>& structures, const std::vector<RtStructure>& rois,
                                        const WrittenSeries& ct, const StudyIdentity& id,
                                        const RtStructWriteOptions& options, const std::filesystem::path& path);

}  // namespace medai::synth

#pragma once
// Ground-truth SEG and RTSTRUCT are written by the platform's one SEG /
// RTSTRUCT writer (src/annotations); this adapter maps the generator's study
// identity and written CT series onto the writers' inputs and writes files.
#include <filesystem>
#include <string>
#include <vector>

#include "annotations/rtstruct_writer.h"
#include "annotations/seg_writer.h"
#include "synth/ct_writer.h"
#include "synth/dicom_common.h"
#include "synth/volume.h"

namespace medai::synth {

// The CT series as the writers' source: UIDs, per-slice positions from the
// volume grid, patient/study attributes from the identity.
annotations::SourceSeries source_of(const WrittenSeries& ct, const StudyIdentity& id,
                                    const Volume<std::uint8_t>& grid);

// "medai synth" (version MEDAI_VERSION) with the synthetic institution name.
annotations::Producer synth_producer();

// Series/instance identity with the study's date and time (deterministic).
annotations::OutputSeries synth_output(const SeriesInfo& series, const std::string& sop_uid,
                                       const StudyIdentity& id);

Status write_ground_truth_seg(const Volume<std::uint8_t>& labels,
                              const std::vector<annotations::SegmentSpec>& segments, const WrittenSeries& ct,
                              const StudyIdentity& id, const SeriesInfo& series, const std::string& sop_uid,
                              const std::filesystem::path& path);

// Returns the number of contours written per ROI.
Result<std::vector<int>> write_ground_truth_rtstruct(const Volume<std::uint8_t>& structures,
                                                     const std::vector<annotations::RoiSpec>& rois,
                                                     const WrittenSeries& ct, const StudyIdentity& id,
                                                     const SeriesInfo& series, const std::string& sop_uid,
                                                     const std::filesystem::path& path);

}  // namespace medai::synth

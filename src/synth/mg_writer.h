#pragma once
// Writes one view as Digital Mammography X-Ray Image Storage - For
// Presentation (MG): ImageLaterality, ViewPosition, ViewCodeSequence
// (SNOMED CT cranio-caudal / medio-lateral oblique), PatientOrientation,
// 12-bit MONOCHROME2 with a VOI window.
#include <filesystem>
#include <string>

#include "core/status.h"
#include "synth/dicom_common.h"
#include "synth/mammography.h"

namespace medai::synth {

Status write_mg_image(const MammoImage& image, const StudyIdentity& id, const SeriesInfo& series,
                      const std::string& sop_uid, int instance_number, const std::filesystem::path& path);

}  // namespace medai::synth

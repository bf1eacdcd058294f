#pragma once
// Shared DICOM module writers for synthetic objects: Patient, General Study,
// General Series, General Equipment, SOP Common. Synthetic patients are
// unmistakable: names "SYNTHETIC^<KIND> <SEED>-<N>", IDs "SYN-...".
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"

class DcmItem;
class DcmFileFormat;

#include "annotations/common_modules.h"

namespace medai::synth {

struct StudyIdentity {
  std::string patient_name, patient_id, birth_date, sex, age;  // age as "063Y"
  std::string study_uid, study_date, study_time, accession, study_id, description;
  std::string frame_of_reference_uid;
  std::uint64_t seed = 0;
};

// Deterministic identity of study `index` of a run with `seed`, e.g.
// kind "chest-ct", prefix "CT". `age` and `female` come from the generator.
StudyIdentity make_identity(std::uint64_t seed, std::string_view kind, int index, int age, bool female,
                            std::string_view description);

struct SeriesInfo {
  std::string uid, modality, description;
  int number = 1;
};

// Patient + General Study (+ Patient Study) modules.
void put_patient_study(DcmItem& item, const StudyIdentity& id);
void put_series(DcmItem& item, const StudyIdentity& id, const SeriesInfo& series);
void put_equipment(DcmItem& item);
// SOP Common plus Content/Instance dates and numbers.
void put_sop_common(DcmItem& item, const StudyIdentity& id, const char* sop_class_uid, const std::string& sop_uid,
                    int instance_number);
// Writes Explicit VR Little Endian with a file meta header.
Status save_dicom(DcmFileFormat& file, const std::filesystem::path& path);

// Decimal string for DS attributes (at most 16 characters): the writers' one.
using annotations::detail::ds;

}  // namespace medai::synth

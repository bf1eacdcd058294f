#include "synth/dicom_common.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>

#include "synth/rng.h"
#include "synth/uid.h"

namespace medai::synth {

StudyIdentity make_identity(std::uint64_t seed, std::string_view kind, int index, int age, bool female,
                            std::string_view description) {
  StudyIdentity id;
  id.seed = seed;
  Rng rng = Rng(seed).fork(std::string(kind) + "/identity", static_cast<std::uint64_t>(index));
  char buf[96];
  std::string upper;
  for (char c : kind) upper.push_back(c == '-' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  std::snprintf(buf, sizeof buf, "SYNTHETIC^%s %llu-%04d", upper.c_str(), static_cast<unsigned long long>(seed), index);
  id.patient_name = buf;
  std::snprintf(buf, sizeof buf, "SYN-%llu-%04d", static_cast<unsigned long long>(seed), index);
  id.patient_id = buf;
  // Study date in 2020-2025 (day arithmetic without a calendar library:
  // months of 28 days keep every date valid).
  const int year = rng.integer(2020, 2025), month = rng.integer(1, 12), day = rng.integer(1, 28);
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, month, day);
  id.study_date = buf;
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", rng.integer(7, 18), rng.integer(0, 59), rng.integer(0, 59));
  id.study_time = buf;
  // Birth date `age` years before the study, on a day not after the study's
  // month/day, so the age on the study date is exactly `age`.
  {
    const int bm = rng.integer(1, month), bd = rng.integer(1, bm == month ? day : 28);
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", year - age, bm, bd);
  }
  id.birth_date = buf;
  id.sex = female ? "F" : "M";
  std::snprintf(buf, sizeof buf, "%03dY", age);
  id.age = buf;
  std::snprintf(buf, sizeof buf, "SYN%llu%04d", static_cast<unsigned long long>(seed % 1000000), index);
  id.accession = buf;
  std::snprintf(buf, sizeof buf, "%d", index);
  id.study_id = buf;
  id.description = std::string(description);
  const std::string base = std::string(kind) + "/" + std::to_string(index);
  id.study_uid = synth_uid(seed, base + "/study");
  id.frame_of_reference_uid = synth_uid(seed, base + "/frame-of-reference");
  return id;
}

void put_patient_study(DcmItem& item, const StudyIdentity& id) {
  item.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  item.putAndInsertString(DCM_PatientName, id.patient_name.c_str());
  item.putAndInsertString(DCM_PatientID, id.patient_id.c_str());
  item.putAndInsertString(DCM_IssuerOfPatientID, "MEDAI-SYNTH");
  item.putAndInsertString(DCM_PatientBirthDate, id.birth_date.c_str());
  item.putAndInsertString(DCM_PatientSex, id.sex.c_str());
  item.putAndInsertString(DCM_PatientAge, id.age.c_str());
  item.putAndInsertString(DCM_PatientIdentityRemoved, "NO");
  item.putAndInsertString(DCM_StudyInstanceUID, id.study_uid.c_str());
  item.putAndInsertString(DCM_StudyDate, id.study_date.c_str());
  item.putAndInsertString(DCM_StudyTime, id.study_time.c_str());
  item.putAndInsertString(DCM_ReferringPhysicianName, "");
  item.putAndInsertString(DCM_StudyID, id.study_id.c_str());
  item.putAndInsertString(DCM_AccessionNumber, id.accession.c_str());
  item.putAndInsertString(DCM_StudyDescription, id.description.c_str());
}

void put_series(DcmItem& item, const StudyIdentity& id, const SeriesInfo& series) {
  item.putAndInsertString(DCM_Modality, series.modality.c_str());
  item.putAndInsertString(DCM_SeriesInstanceUID, series.uid.c_str());
  item.putAndInsertString(DCM_SeriesNumber, std::to_string(series.number).c_str());
  item.putAndInsertString(DCM_SeriesDescription, series.description.c_str());
  item.putAndInsertString(DCM_SeriesDate, id.study_date.c_str());
  item.putAndInsertString(DCM_SeriesTime, id.study_time.c_str());
}

void put_equipment(DcmItem& item) {
  item.putAndInsertString(DCM_Manufacturer, "medai");
  item.putAndInsertString(DCM_ManufacturerModelName, "medai synth");
  item.putAndInsertString(DCM_SoftwareVersions, MEDAI_VERSION);
  item.putAndInsertString(DCM_InstitutionName, "Synthetic data (no real patient)");
  item.putAndInsertString(DCM_DeviceSerialNumber, "SYNTH-0001");
}

void put_sop_common(DcmItem& item, const StudyIdentity& id, const char* sop_class_uid, const std::string& sop_uid,
                    int instance_number) {
  item.putAndInsertString(DCM_SOPClassUID, sop_class_uid);
  item.putAndInsertString(DCM_SOPInstanceUID, sop_uid.c_str());
  item.putAndInsertString(DCM_InstanceNumber, std::to_string(instance_number).c_str());
  item.putAndInsertString(DCM_ContentDate, id.study_date.c_str());
  item.putAndInsertString(DCM_ContentTime, id.study_time.c_str());
  item.putAndInsertString(DCM_InstanceCreationDate, id.study_date.c_str());
  item.putAndInsertString(DCM_InstanceCreationTime, id.study_time.c_str());
}

Status save_dicom(DcmFileFormat& file, const std::filesystem::path& path) {
  const OFCondition c = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
  if (c.bad()) {
    return make_error(ErrorCode::io_error, "cannot write DICOM file", {{"path", path.string()}, {"dcmtk", c.text()}});
  }
  return Status::ok();
}

}  // namespace medai::synth

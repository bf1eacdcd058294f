#include "annotations/common_modules.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>

namespace medai::annotations::detail {

std::string ds(double v) {
  char buf[32];
  for (int prec = 10; prec >= 1; --prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, std::fabs(v) < 1e-12 ? 0.0 : v);
    if (std::strlen(buf) <= 16) break;
  }
  return buf;
}

void quiet_dcmtk() {
  static std::once_flag once;
  // MEDAI_DCMTK_DEBUG=1 shows DCMTK's own warnings (e.g. which attribute a writer misses).
  std::call_once(once, [] { OFLog::configure(getenv("MEDAI_DCMTK_DEBUG") ? OFLogger::WARN_LOG_LEVEL : OFLogger::FATAL_LOG_LEVEL); });
}

Status dcmtk_error(const char* what, const OFCondition& condition) {
  return make_error(ErrorCode::internal, std::string("DCMTK failed to ") + what + ": " + condition.text());
}

void copy_patient_study(DcmItem& target, const SourceSeries& source) {
  if (source.patient_study) {
    DcmItem& src = const_cast<DcmItem&>(*source.patient_study);  // DCMTK lookups are not const
    for (const auto& [group, element] : patient_study_tags()) {
      DcmElement* e = nullptr;
      if (src.findAndGetElement(DcmTagKey(group, element), e).good() && e) {
        target.insert(static_cast<DcmElement*>(e->clone()), OFTrue);
      }
    }
  }
  // Type 2 attributes of Patient / General Study: present, possibly empty.
  for (const DcmTagKey& t :
       {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate, DCM_StudyTime,
        DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber}) {
    if (!target.tagExists(t)) target.putAndInsertString(t, "");
  }
  target.putAndInsertString(DCM_StudyInstanceUID, source.study_instance_uid.c_str());
}

void put_equipment(DcmItem& target, const Producer& producer) {
  target.putAndInsertString(DCM_Manufacturer, producer.manufacturer.c_str());
  target.putAndInsertString(DCM_ManufacturerModelName, producer.app_name.substr(0, 64).c_str());
  const std::string versions = producer.app_version.substr(0, 64) + "\\medai " + MEDAI_VERSION;
  target.putAndInsertString(DCM_SoftwareVersions, versions.c_str());
  if (!producer.institution_name.empty())
    target.putAndInsertString(DCM_InstitutionName, producer.institution_name.c_str());
  if (!producer.device_serial_number.empty())
    target.putAndInsertString(DCM_DeviceSerialNumber, producer.device_serial_number.c_str());
  // Contributing Equipment: the full provenance (a package digest is longer
  // than any LO value, Contribution Description is ST).
  DcmItem* item = append_item(target, DCM_ContributingEquipmentSequence);
  DcmItem* purpose = append_item(*item, DCM_PurposeOfReferenceCodeSequence);
  put_code(*purpose, Code{"109102", "DCM", "Processing Equipment"});
  item->putAndInsertString(DCM_Manufacturer, producer.manufacturer.c_str());
  item->putAndInsertString(DCM_ManufacturerModelName, producer.app_name.substr(0, 64).c_str());
  item->putAndInsertString(DCM_SoftwareVersions, versions.c_str());
  std::string description = "app " + producer.app_name + " " + producer.app_version;
  if (!producer.package_digest.empty()) description += "; package " + producer.package_digest;
  if (!producer.input_digest.empty()) description += "; input " + producer.input_digest;
  if (!producer.job_id.empty()) description += "; job " + producer.job_id;
  if (producer.research_use_only) description += "; RESEARCH USE ONLY";
  if (producer.synthetic_training_data) description += "; TRAINED ON SYNTHETIC DATA";
  if (description.size() > 1024) description.resize(1024);
  item->putAndInsertString(DCM_ContributionDescription, description.c_str());
}

void put_series_and_sop(DcmItem& target, const char* modality, const char* sop_class_uid,
                        const SourceSeries& source, const Producer& producer, const OutputSeries& output) {
  target.putAndInsertString(DCM_Modality, modality);
  target.putAndInsertString(DCM_SeriesInstanceUID, output.series_instance_uid.c_str());
  target.putAndInsertString(DCM_SeriesNumber, std::to_string(output.series_number).c_str());
  target.putAndInsertString(DCM_SeriesDescription,
                            research_prefixed(producer, output.series_description).c_str());
  target.putAndInsertString(DCM_SeriesDate, output.content_date.c_str());
  target.putAndInsertString(DCM_SeriesTime, output.content_time.c_str());
  target.putAndInsertString(DCM_SOPClassUID, sop_class_uid);
  target.putAndInsertString(DCM_SOPInstanceUID, output.sop_instance_uid.c_str());
  target.putAndInsertString(DCM_InstanceCreationDate, output.content_date.c_str());
  target.putAndInsertString(DCM_InstanceCreationTime, output.content_time.c_str());
  target.putAndInsertString(DCM_InstanceNumber, "1");
  (void)source;
}

void put_code(DcmItem& item, const Code& code) {
  item.putAndInsertString(DCM_CodeValue, code.value.c_str());
  item.putAndInsertString(DCM_CodingSchemeDesignator, code.scheme.c_str());
  item.putAndInsertString(DCM_CodeMeaning, code.meaning.c_str());
}

DcmItem* append_item(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  parent.findOrCreateSequenceItem(sequence, item, -2);
  return item;
}

Result<DicomObject> to_object(DcmFileFormat& file, const char* sop_class_uid, const SourceSeries& source,
                              const OutputSeries& output) {
  const E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  DcmMetaInfo* meta = file.getMetaInfo();
  meta->putAndInsertString(DCM_MediaStorageSOPClassUID, sop_class_uid);
  meta->putAndInsertString(DCM_MediaStorageSOPInstanceUID, output.sop_instance_uid.c_str());
  meta->putAndInsertString(DCM_TransferSyntaxUID, DcmXfer(xfer).getXferID());
  OFCondition c = file.validateMetaInfo(xfer);
  if (c.bad()) return dcmtk_error("complete the file meta information", c);
  // Serialise into memory; grow the buffer until the object fits.
  std::size_t capacity = static_cast<std::size_t>(file.calcElementLength(xfer, EET_ExplicitLength)) + 4096;
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string buffer(capacity, '\0');
    DcmOutputBufferStream out(buffer.data(), static_cast<offile_off_t>(buffer.size()));
    file.transferInit();
    c = file.write(out, xfer, EET_ExplicitLength, nullptr);
    file.transferEnd();
    if (c.good()) {
      void* data = nullptr;
      offile_off_t length = 0;
      out.flushBuffer(data, length);
      buffer.resize(static_cast<std::size_t>(length));
      DicomObject object;
      object.bytes = std::move(buffer);
      object.sop_class_uid = sop_class_uid;
      object.sop_instance_uid = output.sop_instance_uid;
      object.series_instance_uid = output.series_instance_uid;
      object.study_instance_uid = source.study_instance_uid;
      return object;
    }
    if (c != EC_StreamNotifyClient) return dcmtk_error("serialise the object", c);
    capacity *= 2;
  }
  return make_error(ErrorCode::internal, "the result object could not be serialised");
}

Result<std::unique_ptr<DcmFileFormat>> parse_bytes(const std::string& bytes) {
  quiet_dcmtk();
  auto file = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  file->transferInit();
  const OFCondition c = file->read(stream, EXS_Unknown, EGL_noChange, std::numeric_limits<Uint32>::max());
  file->transferEnd();
  if (c.bad() || bytes.empty()) {
    return make_error(ErrorCode::invalid_dicom, "the object could not be parsed as DICOM",
                      {{"dcmtk", c.text()}});
  }
  return file;
}

std::string get_string(DcmItem& item, const DcmTagKey& tag, unsigned long pos) {
  OFString s;
  if (item.findAndGetOFString(tag, s, pos).bad()) return {};
  return s.c_str();
}

}  // namespace medai::annotations::detail

#include "annotations/seg_common.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segment.h>

#include <memory>

#include "annotations/common_modules.h"

namespace medai::annotations::detail {
namespace {

CodeSequenceMacro to_macro(const Code& c) {
  return CodeSequenceMacro(c.value.c_str(), c.scheme.c_str(), c.meaning.c_str());
}

}  // namespace

std::string seg_app_name(const Producer& producer) {
  return (producer.app_name.empty() ? std::string("medai") : producer.app_name).substr(0, 64);
}

IODGeneralEquipmentModule::EquipmentInfo seg_equipment(const Producer& producer) {
  std::string serial = producer.device_serial_number;
  if (serial.empty())
    serial = producer.package_digest.empty() ? std::string("medai") : producer.package_digest.substr(0, 23);
  return IODGeneralEquipmentModule::EquipmentInfo(producer.manufacturer.c_str(), serial.c_str(),
                                                  seg_app_name(producer).c_str(), producer.app_version.c_str());
}

ContentIdentificationMacro seg_content(const Producer& producer, const SegOptions& options) {
  const std::string app = producer.app_name.empty() ? "medai" : producer.app_name;
  const std::string description = options.content_description.empty()
                                      ? research_prefixed(producer, app + " " + producer.app_version)
                                      : research_prefixed(producer, options.content_description);
  // Content Creator's Name is a person name (Type 2): empty unless given; the
  // app is in the equipment modules.
  return ContentIdentificationMacro("1", options.content_label.c_str(), description.c_str(),
                                    options.content_creator.c_str());
}

Status add_seg_segment(DcmSegmentation& seg, const SegmentSpec& s, const Producer& producer,
                       const std::string& seg_sop_instance_uid) {
  DcmSegment* segment = nullptr;
  OFCondition c = DcmSegment::create(segment, s.name.substr(0, 64).c_str(), to_macro(s.category), to_macro(s.type),
                                     DcmSegTypes::SAT_AUTOMATIC, seg_app_name(producer).c_str());
  if (c.bad()) return dcmtk_error("create a segment", c);
  std::unique_ptr<DcmSegment> owned(segment);
  if (!s.description.empty()) segment->setSegmentDescription(s.description.substr(0, 64).c_str());
  if (!s.tracking_id.empty()) {
    // Tracking ID and Tracking UID go together (PS3.3 C.8.20.4).
    segment->setTrackingID(s.tracking_id.substr(0, 64).c_str());
    segment->setTrackingUID(uid_from_label(seg_sop_instance_uid + "/tracking/" + s.tracking_id).c_str());
  }
  double L, a, b;
  IODCIELabUtil::rgb2DicomLab(L, a, b, s.rgb[0] / 255.0, s.rgb[1] / 255.0, s.rgb[2] / 255.0);
  segment->setRecommendedDisplayCIELabValue(static_cast<Uint16>(L), static_cast<Uint16>(a), static_cast<Uint16>(b));
  Uint16 number = 0;
  c = seg.addSegment(owned.get(), number);
  if (c.bad()) return dcmtk_error("add a segment", c);
  owned.release();  // the SEG owns it now
  return Status{};
}

void derive_frame_from(FGDerivationImage& derivation, const std::string& sop_class_uid,
                       const std::string& sop_instance_uid) {
  DerivationImageItem* item = nullptr;
  derivation.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item);
  auto* source_item = new SourceImageItem();
  source_item->getPurposeOfReferenceCode().set("121322", "DCM", "Source image for image processing operation");
  source_item->getImageSOPInstanceReference().setReferencedSOPClassUID(sop_class_uid.c_str());
  source_item->getImageSOPInstanceReference().setReferencedSOPInstanceUID(sop_instance_uid.c_str());
  item->getSourceImageItems().push_back(source_item);
}

void seg_identify(DcmSegmentation& seg, const OutputSeries& output) {
  seg.getSeries().setSeriesInstanceUID(output.series_instance_uid.c_str());
  seg.getSeries().setSeriesNumber(std::to_string(output.series_number).c_str());
  seg.getSOPCommon().setSOPInstanceUID(output.sop_instance_uid.c_str());
  seg.getGeneralImage().setInstanceNumber("1");
}

void seg_reference_sources(DcmSegmentation& seg, const SourceSeries& source,
                           const std::vector<std::string>& sop_instance_uids) {
  IODReferences refs;
  const std::string patient_id =
      source.patient_study ? get_string(const_cast<DcmItem&>(*source.patient_study), DCM_PatientID) : std::string();
  for (const auto& uid : sop_instance_uids)
    refs.add(new IODImageReference(patient_id.c_str(), source.study_instance_uid.c_str(),
                                   source.series_instance_uid.c_str(), uid.c_str(), source.sop_class_uid.c_str()));
  seg.getCommonInstanceReference().addReferences(refs, source.study_instance_uid.c_str());
}

Result<DicomObject> seg_to_object(DcmSegmentation& seg, const SourceSeries& source, const Producer& producer,
                                  const OutputSeries& output, const std::function<void(DcmDataset&)>& extra) {
  DcmFileFormat file;
  OFCondition c = seg.writeDataset(*file.getDataset());
  if (c.bad()) return dcmtk_error("write the SEG", c);
  DcmDataset& d = *file.getDataset();
  put_series_and_sop(d, "SEG", UID_SegmentationStorage, source, producer, output);
  d.putAndInsertString(DCM_ContentDate, output.content_date.c_str());
  d.putAndInsertString(DCM_ContentTime, output.content_time.c_str());
  if (extra) extra(d);
  put_equipment(d, producer);
  return to_object(file, UID_SegmentationStorage, source, output);
}

}  // namespace medai::annotations::detail

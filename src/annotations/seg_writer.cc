#include "annotations/seg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <bitset>
#include <memory>

#include "annotations/common_modules.h"

namespace medai::annotations {
namespace {
using detail::dcmtk_error;
using detail::ds;

CodeSequenceMacro to_macro(const Code& c) {
  return CodeSequenceMacro(c.value.c_str(), c.scheme.c_str(), c.meaning.c_str());
}

bool voxel_in(const SegmentSpec& s, std::uint8_t v) { return s.bits ? (v & s.bits) != 0 : v == s.label; }

}  // namespace

Result<DicomObject> write_seg(const imaging::Volume<std::uint8_t>& labels,
                              const std::vector<SegmentSpec>& segments, const SourceSeries& source,
                              const Producer& producer, const OutputSeries& output,
                              const SegOptions& options) {
  detail::quiet_dcmtk();
  MEDAI_RETURN_IF_ERROR(check_same_grid(source, labels, "SEG"));
  if (segments.empty()) return make_error(ErrorCode::invalid_argument, "SEG: no segments given");
  if (labels.nx > 65535 || labels.ny > 65535)
    return make_error(ErrorCode::invalid_argument, "SEG: image too large");

  // Which values occur on each slice: frames are only built where a segment is.
  const std::size_t n = static_cast<std::size_t>(labels.nx) * labels.ny;
  std::vector<std::bitset<256>> values(static_cast<std::size_t>(labels.nz));
  for (int k = 0; k < labels.nz; ++k) {
    const std::uint8_t* sl = labels.slice(k);
    for (std::size_t i = 0; i < n; ++i) values[static_cast<std::size_t>(k)].set(sl[i]);
  }
  auto slice_has = [&](const SegmentSpec& s, int k) {
    const auto& v = values[static_cast<std::size_t>(k)];
    for (int x = 1; x < 256; ++x)
      if (v.test(static_cast<std::size_t>(x)) && voxel_in(s, static_cast<std::uint8_t>(x))) return true;
    return false;
  };
  bool any_frame = false;
  for (const SegmentSpec& s : segments)
    for (int k = 0; k < labels.nz && !any_frame; ++k) any_frame = slice_has(s, k);
  if (!any_frame)
    return make_error(ErrorCode::unprocessable, "SEG: every segment is empty; nothing to write");

  const std::string app = producer.app_name.empty() ? "medai" : producer.app_name;
  // DCMTK wants a serial number: the package digest identifies an app build.
  std::string serial = producer.device_serial_number;
  if (serial.empty())
    serial = producer.package_digest.empty() ? std::string("medai") : producer.package_digest.substr(0, 23);
  IODGeneralEquipmentModule::EquipmentInfo equipment(producer.manufacturer.c_str(), serial.c_str(),
                                                     app.substr(0, 64).c_str(), producer.app_version.c_str());
  const std::string description = options.content_description.empty()
                                      ? research_prefixed(producer, app + " " + producer.app_version)
                                      : research_prefixed(producer, options.content_description);
  // Content Creator's Name is a person name (Type 2): empty unless given; the app is in the equipment
  // modules.
  const std::string creator = options.content_creator;
  ContentIdentificationMacro content("1", options.content_label.c_str(), description.c_str(),
                                     creator.c_str());
  DcmSegmentation* raw = nullptr;
  OFCondition c = DcmSegmentation::createBinarySegmentation(
      raw, static_cast<Uint16>(labels.ny), static_cast<Uint16>(labels.nx), equipment, content);
  if (c.bad()) return dcmtk_error("create the SEG", c);
  std::unique_ptr<DcmSegmentation> seg(raw);
  // DCMTK's pre-write dimension check runs before the per-frame groups exist
  // and only logs a warning; validity is checked with dciodvfy in the tests.
  seg->setCheckDimensionsOnWrite(OFFalse);

  DcmItem src;
  detail::copy_patient_study(src, source);
  src.putAndInsertString(DCM_FrameOfReferenceUID, source.frame_of_reference_uid.c_str());
  src.putAndInsertString(DCM_PositionReferenceIndicator, "");
  c = seg->importFromSourceImage(src, OFTrue);
  if (c.bad()) return dcmtk_error("import patient/study into the SEG", c);
  seg->getSeries().setSeriesInstanceUID(output.series_instance_uid.c_str());
  seg->getSeries().setSeriesNumber(std::to_string(output.series_number).c_str());
  seg->getSOPCommon().setSOPInstanceUID(output.sop_instance_uid.c_str());
  seg->getGeneralImage().setInstanceNumber("1");

  for (const SegmentSpec& s : segments) {
    DcmSegment* segment = nullptr;
    c = DcmSegment::create(segment, s.name.substr(0, 64).c_str(), to_macro(s.category), to_macro(s.type),
                           DcmSegTypes::SAT_AUTOMATIC, app.substr(0, 64).c_str());
    if (c.bad()) return dcmtk_error("create a segment", c);
    std::unique_ptr<DcmSegment> owned(segment);
    if (!s.description.empty()) segment->setSegmentDescription(s.description.substr(0, 64).c_str());
    if (!s.tracking_id.empty()) {
      // Tracking ID and Tracking UID go together (PS3.3 C.8.20.4).
      segment->setTrackingID(s.tracking_id.substr(0, 64).c_str());
      segment->setTrackingUID(uid_from_label(output.sop_instance_uid + "/tracking/" + s.tracking_id).c_str());
    }
    double L, a, b;
    IODCIELabUtil::rgb2DicomLab(L, a, b, s.rgb[0] / 255.0, s.rgb[1] / 255.0, s.rgb[2] / 255.0);
    segment->setRecommendedDisplayCIELabValue(static_cast<Uint16>(L), static_cast<Uint16>(a),
                                              static_cast<Uint16>(b));
    Uint16 number = 0;
    c = seg->addSegment(owned.get(), number);
    if (c.bad()) return dcmtk_error("add a segment", c);
    owned.release();  // the SEG owns it now
  }

  FGPixelMeasures measures;
  measures.setPixelSpacing((ds(labels.spacing[1]) + "\\" + ds(labels.spacing[0])).c_str());
  measures.setSliceThickness(ds(labels.spacing[2]).c_str());
  measures.setSpacingBetweenSlices(ds(labels.spacing[2]).c_str());
  seg->addForAllFrames(measures);
  FGPlaneOrientationPatient orientation;
  orientation.setImageOrientationPatient("1", "0", "0", "0", "1", "0");
  seg->addForAllFrames(orientation);

  const std::string dim_uid = uid_from_label(output.sop_instance_uid + "/dimension-organization");
  IODMultiframeDimensionModule& dims = seg->getDimensions();
  dims.addDimensionIndex(DCM_ReferencedSegmentNumber, dim_uid.c_str(), DCM_SegmentIdentificationSequence,
                         "ReferencedSegmentNumber");
  dims.addDimensionIndex(DCM_ImagePositionPatient, dim_uid.c_str(), DCM_PlanePositionSequence,
                         "ImagePositionPatient");

  std::vector<Uint8> frame(n);
  std::vector<bool> used_slice(static_cast<std::size_t>(labels.nz), false);
  for (std::size_t si = 0; si < segments.size(); ++si) {
    const SegmentSpec& s = segments[si];
    const auto number = static_cast<Uint16>(si + 1);
    for (int k = 0; k < labels.nz; ++k) {
      if (!slice_has(s, k)) continue;
      const std::uint8_t* sl = labels.slice(k);
      for (std::size_t i = 0; i < n; ++i) frame[i] = voxel_in(s, sl[i]) ? 1 : 0;
      used_slice[static_cast<std::size_t>(k)] = true;
      const imaging::Vec3 p = source.slices[static_cast<std::size_t>(k)].position;
      std::unique_ptr<FGPlanePosPatient> pos(
          FGPlanePosPatient::createMinimal(ds(p.x).c_str(), ds(p.y).c_str(), ds(p.z).c_str()));
      FGFrameContent content_fg;
      content_fg.setDimensionIndexValues(number, 0);
      content_fg.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1);
      FGDerivationImage deriv;
      DerivationImageItem* item = nullptr;
      deriv.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item);
      auto* source_item = new SourceImageItem();
      source_item->getPurposeOfReferenceCode().set("121322", "DCM",
                                                   "Source image for image processing operation");
      source_item->getImageSOPInstanceReference().setReferencedSOPClassUID(source.sop_class_uid.c_str());
      source_item->getImageSOPInstanceReference().setReferencedSOPInstanceUID(
          source.slices[static_cast<std::size_t>(k)].sop_instance_uid.c_str());
      item->getSourceImageItems().push_back(source_item);
      OFVector<FGBase*> groups;
      groups.push_back(pos.get());
      groups.push_back(&content_fg);
      groups.push_back(&deriv);
      c = seg->addFrame(frame.data(), number, groups);
      if (c.bad()) return dcmtk_error("add a SEG frame", c);
    }
  }
  // Common Instance Reference: the source instances the frames derive from.
  IODReferences refs;
  const std::string patient_id = [&] {
    if (!source.patient_study) return std::string();
    return detail::get_string(const_cast<DcmItem&>(*source.patient_study), DCM_PatientID);
  }();
  for (int k = 0; k < labels.nz; ++k) {
    if (!used_slice[static_cast<std::size_t>(k)]) continue;
    refs.add(new IODImageReference(
        patient_id.c_str(), source.study_instance_uid.c_str(), source.series_instance_uid.c_str(),
        source.slices[static_cast<std::size_t>(k)].sop_instance_uid.c_str(), source.sop_class_uid.c_str()));
  }
  seg->getCommonInstanceReference().addReferences(refs, source.study_instance_uid.c_str());

  DcmFileFormat file;
  c = seg->writeDataset(*file.getDataset());
  if (c.bad()) return dcmtk_error("write the SEG", c);
  // DCMTK stamps the current time and its own equipment; results are
  // deterministic and carry the producer.
  DcmDataset& d = *file.getDataset();
  detail::put_series_and_sop(d, "SEG", UID_SegmentationStorage, source, producer, output);
  d.putAndInsertString(DCM_ContentDate, output.content_date.c_str());
  d.putAndInsertString(DCM_ContentTime, output.content_time.c_str());
  detail::put_equipment(d, producer);
  return detail::to_object(file, UID_SegmentationStorage, source, output);
}

}  // namespace medai::annotations

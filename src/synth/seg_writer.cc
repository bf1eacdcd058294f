#include "synth/seg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
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

#include "synth/uid.h"

namespace medai::synth {
namespace {

CodeSequenceMacro to_macro(const Code& c) {
  return CodeSequenceMacro(c.value.c_str(), c.scheme.c_str(), c.meaning.c_str());
}

Status dcm_error(const char* what, const OFCondition& c) {
  return make_error(ErrorCode::internal, std::string("SEG: ") + what, {{"dcmtk", c.text()}});
}

}  // namespace

Status write_label_seg(const Volume<std::uint8_t>& labels, const std::vector<SegSegment>& segments,
                       const WrittenSeries& source, const StudyIdentity& id, const SegWriteOptions& options,
                       const std::filesystem::path& path) {
  if (static_cast<int>(source.sop_uids.size()) != labels.nz) {
    return make_error(ErrorCode::invalid_argument, "SEG: label volume and CT series differ in slice count");
  }
  IODGeneralEquipmentModule::EquipmentInfo equipment("medai", "SYNTH-0001", "medai synth", MEDAI_VERSION);
  ContentIdentificationMacro content("1", options.content_label.c_str(), options.content_description.c_str(),
                                     "MEDAI^SYNTH");
  DcmSegmentation* raw = nullptr;
  OFCondition c = DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(labels.ny),
                                                            static_cast<Uint16>(labels.nx), equipment, content);
  if (c.bad()) return dcm_error("create", c);
  std::unique_ptr<DcmSegmentation> seg(raw);
  // DCMTK's pre-write dimension check runs before the per-frame groups exist
  // and only logs a warning; validity is checked with dciodvfy in the tests.
  seg->setCheckDimensionsOnWrite(OFFalse);

  // Patient, study and frame of reference from a source-like item.
  DcmItem src;
  put_patient_study(src, id);
  src.putAndInsertString(DCM_FrameOfReferenceUID, id.frame_of_reference_uid.c_str());
  src.putAndInsertString(DCM_PositionReferenceIndicator, "");
  c = seg->importFromSourceImage(src, OFTrue);
  if (c.bad()) return dcm_error("import patient/study", c);
  seg->getSeries().setSeriesInstanceUID(options.series.uid.c_str());
  seg->getSeries().setSeriesNumber(std::to_string(options.series.number).c_str());
  seg->getSeries().setSeriesDescription(options.series.description.c_str());
  seg->getSOPCommon().setSOPInstanceUID(options.sop_uid.c_str());
  seg->getGeneralImage().setInstanceNumber("1");

  for (const SegSegment& s : segments) {
    DcmSegment* segment = nullptr;
    c = DcmSegment::create(segment, s.name.c_str(), to_macro(s.category), to_macro(s.type), DcmSegTypes::SAT_AUTOMATIC,
                           "medai synth ground truth");
    if (c.bad()) return dcm_error("segment", c);
    if (!s.description.empty()) segment->setSegmentDescription(s.description.c_str());
    if (!s.tracking_id.empty()) {
      // Tracking ID and Tracking UID go together (PS3.3 C.8.20.4).
      segment->setTrackingID(s.tracking_id.c_str());
      segment->setTrackingUID(synth_uid(id.seed, options.sop_uid + "/tracking/" + s.tracking_id).c_str());
    }
    double L, a, b;
    IODCIELabUtil::rgb2DicomLab(L, a, b, s.rgb[0] / 255.0, s.rgb[1] / 255.0, s.rgb[2] / 255.0);
    segment->setRecommendedDisplayCIELabValue(static_cast<Uint16>(L), static_cast<Uint16>(a), static_cast<Uint16>(b));
    Uint16 number = 0;
    c = seg->addSegment(segment, number);
    if (c.bad()) {
      delete segment;
      return dcm_error("add segment", c);
    }
  }

  FGPixelMeasures measures;
  measures.setPixelSpacing((ds(labels.spacing[1]) + "\\" + ds(labels.spacing[0])).c_str());
  measures.setSliceThickness(ds(labels.spacing[2]).c_str());
  measures.setSpacingBetweenSlices(ds(labels.spacing[2]).c_str());
  seg->addForAllFrames(measures);
  FGPlaneOrientationPatient orientation;
  orientation.setImageOrientationPatient("1", "0", "0", "0", "1", "0");
  seg->addForAllFrames(orientation);

  const std::string dim_uid = synth_uid(id.seed, options.sop_uid + "/dimension-organization");
  IODMultiframeDimensionModule& dims = seg->getDimensions();
  dims.addDimensionIndex(DCM_ReferencedSegmentNumber, dim_uid.c_str(), DCM_SegmentIdentificationSequence,
                         "ReferencedSegmentNumber");
  dims.addDimensionIndex(DCM_ImagePositionPatient, dim_uid.c_str(), DCM_PlanePositionSequence,
                         "ImagePositionPatient");

  const std::size_t n = static_cast<std::size_t>(labels.nx) * labels.ny;
  std::vector<Uint8> frame(n);
  std::vector<bool> used_slice(static_cast<std::size_t>(labels.nz), false);
  // Which values occur on each slice: frames are only built where a segment is.
  std::vector<std::bitset<256>> values(static_cast<std::size_t>(labels.nz));
  for (int k = 0; k < labels.nz; ++k) {
    const std::uint8_t* sl = labels.slice(k);
    for (std::size_t i = 0; i < n; ++i) values[static_cast<std::size_t>(k)].set(sl[i]);
  }
  auto slice_has = [&](const SegSegment& s, int k) {
    const auto& v = values[static_cast<std::size_t>(k)];
    if (!s.bits) return v.test(s.label);
    for (int x = 1; x < 256; ++x)
      if ((x & s.bits) && v.test(static_cast<std::size_t>(x))) return true;
    return false;
  };
  for (std::size_t si = 0; si < segments.size(); ++si) {
    const SegSegment& s = segments[si];
    const auto number = static_cast<Uint16>(si + 1);
    for (int k = 0; k < labels.nz; ++k) {
      if (!slice_has(s, k)) continue;
      const std::uint8_t* sl = labels.slice(k);
      bool any = false;
      for (std::size_t i = 0; i < n; ++i) {
        frame[i] = (s.bits ? (sl[i] & s.bits) != 0 : sl[i] == s.label) ? 1 : 0;
        any = any || frame[i];
      }
      if (!any) continue;
      used_slice[static_cast<std::size_t>(k)] = true;
      FGPlanePosPatient* pos = FGPlanePosPatient::createMinimal(
          ds(labels.position(0, 0, k).x).c_str(), ds(labels.position(0, 0, k).y).c_str(),
          ds(labels.position(0, 0, k).z).c_str());
      FGFrameContent content_fg;
      content_fg.setDimensionIndexValues(number, 0);
      content_fg.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1);
      FGDerivationImage deriv;
      DerivationImageItem* item = nullptr;
      deriv.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item);
      SourceImageItem* source_item = new SourceImageItem();
      source_item->getPurposeOfReferenceCode().set("121322", "DCM", "Source image for image processing operation");
      source_item->getImageSOPInstanceReference().setReferencedSOPClassUID(source.sop_class_uid.c_str());
      source_item->getImageSOPInstanceReference().setReferencedSOPInstanceUID(
          source.sop_uids[static_cast<std::size_t>(k)].c_str());
      item->getSourceImageItems().push_back(source_item);
      OFVector<FGBase*> groups;
      groups.push_back(pos);
      groups.push_back(&content_fg);
      groups.push_back(&deriv);
      c = seg->addFrame(frame.data(), number, groups);
      delete pos;
      if (c.bad()) return dcm_error("add frame", c);
    }
  }
  // Common Instance Reference: the CT slices the frames derive from.
  IODReferences refs;
  for (int k = 0; k < labels.nz; ++k) {
    if (!used_slice[static_cast<std::size_t>(k)]) continue;
    refs.add(new IODImageReference(id.patient_id.c_str(), id.study_uid.c_str(), source.series_uid.c_str(),
                                   source.sop_uids[static_cast<std::size_t>(k)].c_str(),
                                   source.sop_class_uid.c_str()));
  }
  if (refs.size() > 0) seg->getCommonInstanceReference().addReferences(refs, id.study_uid.c_str());

  DcmFileFormat file;
  c = seg->writeDataset(*file.getDataset());
  if (c.bad()) return dcm_error("write", c);
  // DCMTK stamps the current time; synthetic objects are deterministic.
  DcmDataset& d = *file.getDataset();
  put_sop_common(d, id, UID_SegmentationStorage, options.sop_uid, 1);
  d.putAndInsertString(DCM_SeriesDate, id.study_date.c_str());
  d.putAndInsertString(DCM_SeriesTime, id.study_time.c_str());
  d.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  put_equipment(d);
  return save_dicom(file, path);
}

}  // namespace medai::synth

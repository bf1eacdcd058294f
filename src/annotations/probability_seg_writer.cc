#include "annotations/probability_seg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <memory>

#include "annotations/common_modules.h"

namespace medai::annotations {
namespace {
using detail::dcmtk_error;
using detail::ds;

CodeSequenceMacro to_macro(const Code& c) {
  return CodeSequenceMacro(c.value.c_str(), c.scheme.c_str(), c.meaning.c_str());
}

}  // namespace

Result<DicomObject> write_probability_seg(const std::vector<ProbabilityFrame>& frames, const SourceSeries& source,
                                          const Producer& producer, const OutputSeries& output,
                                          const SegOptions& options) {
  detail::quiet_dcmtk();
  if (frames.empty()) return make_error(ErrorCode::invalid_argument, "probability SEG: no frames given");
  const int nx = frames.front().nx, ny = frames.front().ny;
  if (nx <= 0 || ny <= 0 || nx > 65535 || ny > 65535)
    return make_error(ErrorCode::invalid_argument, "probability SEG: bad image size", {{"columns", nx}, {"rows", ny}});
  for (const auto& f : frames) {
    if (f.nx != nx || f.ny != ny)
      return make_error(ErrorCode::invalid_argument, "probability SEG: every frame needs the same rows and columns",
                        {{"columns", {nx, f.nx}}, {"rows", {ny, f.ny}}});
    if (f.values.size() != static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny))
      return make_error(ErrorCode::invalid_argument, "probability SEG: a frame's values do not fill its grid");
    if (f.sop_instance_uid.empty())
      return make_error(ErrorCode::invalid_argument, "probability SEG: a frame has no source image");
  }

  const std::string app = producer.app_name.empty() ? "medai" : producer.app_name;
  std::string serial = producer.device_serial_number;
  if (serial.empty())
    serial = producer.package_digest.empty() ? std::string("medai") : producer.package_digest.substr(0, 23);
  IODGeneralEquipmentModule::EquipmentInfo equipment(producer.manufacturer.c_str(), serial.c_str(),
                                                     app.substr(0, 64).c_str(), producer.app_version.c_str());
  const std::string description = options.content_description.empty()
                                      ? research_prefixed(producer, app + " " + producer.app_version)
                                      : research_prefixed(producer, options.content_description);
  ContentIdentificationMacro content("1", options.content_label.c_str(), description.c_str(),
                                     options.content_creator.c_str());
  DcmSegmentation* raw = nullptr;
  OFCondition c = DcmSegmentation::createFractionalSegmentation(raw, static_cast<Uint16>(ny), static_cast<Uint16>(nx),
                                                                DcmSegTypes::SFT_PROBABILITY, 255, equipment, content);
  if (c.bad()) return dcmtk_error("create the probability SEG", c);
  std::unique_ptr<DcmSegmentation> seg(raw);
  seg->setCheckDimensionsOnWrite(OFFalse);

  DcmItem src;
  detail::copy_patient_study(src, source);
  c = seg->importFromSourceImage(src, OFFalse);
  if (c.bad()) return dcmtk_error("import patient/study into the probability SEG", c);
  // Projection images: no patient frame of reference, so neither has the SEG
  // (DCMTK's rule makes the UID type 1; the module is conditional in the IOD).
  if (IODRule* rule = seg->getRules()->getByTag(DCM_FrameOfReferenceUID)) rule->setType("3");
  if (IODRule* rule = seg->getRules()->getByTag(DCM_PositionReferenceIndicator)) rule->setType("3");
  seg->getSeries().setSeriesInstanceUID(output.series_instance_uid.c_str());
  seg->getSeries().setSeriesNumber(std::to_string(output.series_number).c_str());
  seg->getSOPCommon().setSOPInstanceUID(output.sop_instance_uid.c_str());
  seg->getGeneralImage().setInstanceNumber("1");

  for (const auto& f : frames) {
    const SegmentSpec& s = f.segment;
    DcmSegment* segment = nullptr;
    c = DcmSegment::create(segment, s.name.substr(0, 64).c_str(), to_macro(s.category), to_macro(s.type),
                           DcmSegTypes::SAT_AUTOMATIC, app.substr(0, 64).c_str());
    if (c.bad()) return dcmtk_error("create a segment", c);
    std::unique_ptr<DcmSegment> owned(segment);
    if (!s.description.empty()) segment->setSegmentDescription(s.description.substr(0, 64).c_str());
    if (!s.tracking_id.empty()) {
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
    owned.release();
  }

  if (frames.front().pixel_spacing_mm > 0) {
    FGPixelMeasures measures;
    const std::string sp = ds(frames.front().pixel_spacing_mm);
    measures.setPixelSpacing((sp + "\\" + sp).c_str());
    seg->addForAllFrames(measures);
  }
  const std::string dim_uid = uid_from_label(output.sop_instance_uid + "/dimension-organization");
  seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dim_uid.c_str(),
                                         DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber");

  IODReferences refs;
  const std::string patient_id = [&] {
    if (!source.patient_study) return std::string();
    return detail::get_string(const_cast<DcmItem&>(*source.patient_study), DCM_PatientID);
  }();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto number = static_cast<Uint16>(i + 1);
    FGFrameContent content_fg;
    content_fg.setDimensionIndexValues(number, 0);
    FGDerivationImage deriv;
    DerivationImageItem* item = nullptr;
    deriv.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item);
    auto* source_item = new SourceImageItem();
    source_item->getPurposeOfReferenceCode().set("121322", "DCM", "Source image for image processing operation");
    source_item->getImageSOPInstanceReference().setReferencedSOPClassUID(source.sop_class_uid.c_str());
    source_item->getImageSOPInstanceReference().setReferencedSOPInstanceUID(frames[i].sop_instance_uid.c_str());
    item->getSourceImageItems().push_back(source_item);
    OFVector<FGBase*> groups;
    groups.push_back(&content_fg);
    groups.push_back(&deriv);
    std::vector<Uint8> pixels(frames[i].values.begin(), frames[i].values.end());  // DCMTK takes non-const
    c = seg->addFrame(pixels.data(), number, groups);
    if (c.bad()) return dcmtk_error("add a probability SEG frame", c);
    refs.add(new IODImageReference(patient_id.c_str(), source.study_instance_uid.c_str(),
                                   source.series_instance_uid.c_str(), frames[i].sop_instance_uid.c_str(),
                                   source.sop_class_uid.c_str()));
  }
  seg->getCommonInstanceReference().addReferences(refs, source.study_instance_uid.c_str());

  DcmFileFormat file;
  c = seg->writeDataset(*file.getDataset());
  if (c.bad()) return dcmtk_error("write the probability SEG", c);
  DcmDataset& d = *file.getDataset();
  detail::put_series_and_sop(d, "SEG", UID_SegmentationStorage, source, producer, output);
  d.putAndInsertString(DCM_ContentDate, output.content_date.c_str());
  d.putAndInsertString(DCM_ContentTime, output.content_time.c_str());
  // Type 2C without an Image Orientation (Patient): the frames come from
  // views of different orientations, so it is present and empty.
  d.putAndInsertString(DCM_PatientOrientation, "");
  detail::put_equipment(d, producer);
  return detail::to_object(file, UID_SegmentationStorage, source, output);
}

}  // namespace medai::annotations

#include "annotations/probability_seg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmseg/segdoc.h>

#include <memory>

#include "annotations/common_modules.h"
#include "annotations/seg_common.h"

namespace medai::annotations {
namespace {
using detail::dcmtk_error;
using detail::ds;

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

  DcmSegmentation* raw = nullptr;
  OFCondition c = DcmSegmentation::createFractionalSegmentation(raw, static_cast<Uint16>(ny), static_cast<Uint16>(nx),
                                                                DcmSegTypes::SFT_PROBABILITY, 255,
                                                                detail::seg_equipment(producer),
                                                                detail::seg_content(producer, options));
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
  detail::seg_identify(*seg, output);

  for (const auto& f : frames)
    MEDAI_RETURN_IF_ERROR(detail::add_seg_segment(*seg, f.segment, producer, output.sop_instance_uid));

  if (frames.front().pixel_spacing_mm > 0) {
    FGPixelMeasures measures;
    const std::string sp = ds(frames.front().pixel_spacing_mm);
    measures.setPixelSpacing((sp + "\\" + sp).c_str());
    seg->addForAllFrames(measures);
  }
  const std::string dim_uid = uid_from_label(output.sop_instance_uid + "/dimension-organization");
  seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dim_uid.c_str(),
                                         DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber");

  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto number = static_cast<Uint16>(i + 1);
    FGFrameContent content_fg;
    content_fg.setDimensionIndexValues(number, 0);
    FGDerivationImage deriv;
    detail::derive_frame_from(deriv, source.sop_class_uid, frames[i].sop_instance_uid);
    OFVector<FGBase*> groups;
    groups.push_back(&content_fg);
    groups.push_back(&deriv);
    std::vector<Uint8> pixels(frames[i].values.begin(), frames[i].values.end());  // DCMTK takes non-const
    c = seg->addFrame(pixels.data(), number, groups);
    if (c.bad()) return dcmtk_error("add a probability SEG frame", c);
  }
  std::vector<std::string> sources;
  for (const auto& f : frames) sources.push_back(f.sop_instance_uid);
  detail::seg_reference_sources(*seg, source, sources);
  return detail::seg_to_object(*seg, source, producer, output, [](DcmDataset& d) {
    // Type 2C without an Image Orientation (Patient): the frames come from
    // views of different orientations, so it is present and empty.
    d.putAndInsertString(DCM_PatientOrientation, "");
  });
}

}  // namespace medai::annotations

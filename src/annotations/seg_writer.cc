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
#include <dcmtk/dcmseg/segdoc.h>

#include <bitset>
#include <memory>

#include "annotations/common_modules.h"
#include "annotations/seg_common.h"

namespace medai::annotations {
namespace {
using detail::dcmtk_error;
using detail::ds;

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

  DcmSegmentation* raw = nullptr;
  OFCondition c = DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(labels.ny),
                                                            static_cast<Uint16>(labels.nx),
                                                            detail::seg_equipment(producer),
                                                            detail::seg_content(producer, options));
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
  detail::seg_identify(*seg, output);

  for (const SegmentSpec& s : segments)
    MEDAI_RETURN_IF_ERROR(detail::add_seg_segment(*seg, s, producer, output.sop_instance_uid));

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
      detail::derive_frame_from(deriv, source.sop_class_uid, source.slices[static_cast<std::size_t>(k)].sop_instance_uid);
      OFVector<FGBase*> groups;
      groups.push_back(pos.get());
      groups.push_back(&content_fg);
      groups.push_back(&deriv);
      c = seg->addFrame(frame.data(), number, groups);
      if (c.bad()) return dcmtk_error("add a SEG frame", c);
    }
  }
  // Common Instance Reference: the source instances the frames derive from.
  std::vector<std::string> used;
  for (int k = 0; k < labels.nz; ++k)
    if (used_slice[static_cast<std::size_t>(k)]) used.push_back(source.slices[static_cast<std::size_t>(k)].sop_instance_uid);
  detail::seg_reference_sources(*seg, source, used);
  return detail::seg_to_object(*seg, source, producer, output);
}

}  // namespace medai::annotations

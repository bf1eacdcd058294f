#include "synth/rtstruct_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "imaging/contours.h"

namespace medai::synth {
using imaging::Point2;
using imaging::Polygon;
using imaging::trace_contours;
namespace {

// Detached Study Management SOP Class, as PS3.3 C.8.8.5 asks for RT Referenced Study.
constexpr const char* kStudyComponentSopClass = "1.2.840.10008.3.1.2.3.1";

DcmItem* new_item(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* item = nullptr;
  parent.findOrCreateSequenceItem(seq, item, -2);
  return item;
}

}  // namespace

Result<std::vector<int>> write_rtstruct(const Volume<std::uint8_t>& structures, const std::vector<RtStructure>& rois,
                                        const WrittenSeries& ct, const StudyIdentity& id,
                                        const RtStructWriteOptions& options, const std::filesystem::path& path) {
  if (static_cast<int>(ct.sop_uids.size()) != structures.nz) {
    return make_error(ErrorCode::invalid_argument, "RTSTRUCT: structure volume and CT series differ in slice count");
  }
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  SeriesInfo series = options.series;
  series.modality = "RTSTRUCT";
  put_patient_study(d, id);
  put_series(d, id, series);
  put_equipment(d);
  put_sop_common(d, id, UID_RTStructureSetStorage, options.sop_uid, 1);
  // The RT Structure Set IOD has no General Image module: no content date/time.
  d.findAndDeleteElement(DCM_ContentDate);
  d.findAndDeleteElement(DCM_ContentTime);
  d.putAndInsertString(DCM_FrameOfReferenceUID, id.frame_of_reference_uid.c_str());
  d.putAndInsertString(DCM_PositionReferenceIndicator, "");
  d.putAndInsertString(DCM_OperatorsName, "");
  d.putAndInsertString(DCM_StructureSetLabel, options.label.c_str());
  d.putAndInsertString(DCM_StructureSetName, "Synthetic ground truth");
  d.putAndInsertString(DCM_StructureSetDate, id.study_date.c_str());
  d.putAndInsertString(DCM_StructureSetTime, id.study_time.c_str());

  DcmItem* for_item = new_item(d, DCM_ReferencedFrameOfReferenceSequence);
  for_item->putAndInsertString(DCM_FrameOfReferenceUID, id.frame_of_reference_uid.c_str());
  DcmItem* study_item = new_item(*for_item, DCM_RTReferencedStudySequence);
  study_item->putAndInsertString(DCM_ReferencedSOPClassUID, kStudyComponentSopClass);
  study_item->putAndInsertString(DCM_ReferencedSOPInstanceUID, id.study_uid.c_str());
  DcmItem* series_item = new_item(*study_item, DCM_RTReferencedSeriesSequence);
  series_item->putAndInsertString(DCM_SeriesInstanceUID, ct.series_uid.c_str());
  for (const std::string& uid : ct.sop_uids) {
    DcmItem* img = new_item(*series_item, DCM_ContourImageSequence);
    img->putAndInsertString(DCM_ReferencedSOPClassUID, ct.sop_class_uid.c_str());
    img->putAndInsertString(DCM_ReferencedSOPInstanceUID, uid.c_str());
  }

  std::vector<int> counts;
  const std::size_t n = static_cast<std::size_t>(structures.nx) * structures.ny;
  std::vector<std::uint8_t> mask(n);
  for (std::size_t r = 0; r < rois.size(); ++r) {
    const RtStructure& roi = rois[r];
    const std::string number = std::to_string(r + 1);
    DcmItem* ss = new_item(d, DCM_StructureSetROISequence);
    ss->putAndInsertString(DCM_ROINumber, number.c_str());
    ss->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, id.frame_of_reference_uid.c_str());
    ss->putAndInsertString(DCM_ROIName, roi.name.c_str());
    ss->putAndInsertString(DCM_ROIGenerationAlgorithm, "AUTOMATIC");

    DcmItem* rc = new_item(d, DCM_ROIContourSequence);
    const std::string color =
        std::to_string(roi.rgb[0]) + "\\" + std::to_string(roi.rgb[1]) + "\\" + std::to_string(roi.rgb[2]);
    rc->putAndInsertString(DCM_ROIDisplayColor, color.c_str());
    rc->putAndInsertString(DCM_ReferencedROINumber, number.c_str());
    int contour_number = 0;
    for (int k = 0; k < structures.nz; ++k) {
      const std::uint8_t* s = structures.slice(k);
      bool any = false;
      for (std::size_t i = 0; i < n; ++i) {
        mask[i] = (s[i] & roi.bit) ? 1 : 0;
        any = any || mask[i];
      }
      if (!any) continue;
      const std::vector<Polygon> loops = trace_contours(mask.data(), structures.nx, structures.ny);
      for (const Polygon& loop : loops) {
        DcmItem* c = new_item(*rc, DCM_ContourSequence);
        DcmItem* img = new_item(*c, DCM_ContourImageSequence);
        img->putAndInsertString(DCM_ReferencedSOPClassUID, ct.sop_class_uid.c_str());
        img->putAndInsertString(DCM_ReferencedSOPInstanceUID, ct.sop_uids[static_cast<std::size_t>(k)].c_str());
        c->putAndInsertString(DCM_ContourGeometricType, "CLOSED_PLANAR");
        c->putAndInsertString(DCM_NumberOfContourPoints, std::to_string(loop.size()).c_str());
        c->putAndInsertString(DCM_ContourNumber, std::to_string(++contour_number).c_str());
        std::string data;
        data.reserve(loop.size() * 30);
        for (const Point2& p : loop) {
          const Vec3 q = structures.position(p.x, p.y, k);
          if (!data.empty()) data += '\\';
          data += ds(q.x) + "\\" + ds(q.y) + "\\" + ds(q.z);
        }
        c->putAndInsertString(DCM_ContourData, data.c_str());
      }
    }
    counts.push_back(contour_number);

    DcmItem* obs = new_item(d, DCM_RTROIObservationsSequence);
    obs->putAndInsertString(DCM_ObservationNumber, number.c_str());
    obs->putAndInsertString(DCM_ReferencedROINumber, number.c_str());
    obs->putAndInsertString(DCM_RTROIInterpretedType, roi.interpreted_type.c_str());
    obs->putAndInsertString(DCM_ROIInterpreter, "");
  }
  MEDAI_RETURN_IF_ERROR(save_dicom(file, path));
  return counts;
}

}  // namespace medai::synth

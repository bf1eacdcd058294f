#include "annotations/rtstruct_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "annotations/common_modules.h"
#include "imaging/contours.h"

namespace medai::annotations {
namespace {
using detail::append_item;
using detail::ds;

// Detached Study Management SOP Class, as PS3.3 C.8.8.5 asks for RT Referenced Study.
constexpr const char* kStudyComponentSopClass = "1.2.840.10008.3.1.2.3.1";

bool voxel_in(const RoiSpec& r, std::uint8_t v) { return r.bits ? (v & r.bits) != 0 : v == r.label; }

}  // namespace

Result<RtStructWritten> write_rtstruct(const imaging::Volume<std::uint8_t>& structures,
                                       const std::vector<RoiSpec>& rois, const SourceSeries& source,
                                       const Producer& producer, const OutputSeries& output,
                                       const RtStructOptions& options) {
  detail::quiet_dcmtk();
  MEDAI_RETURN_IF_ERROR(check_same_grid(source, structures, "RTSTRUCT"));
  if (rois.empty()) return make_error(ErrorCode::invalid_argument, "RTSTRUCT: no ROIs given");
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  detail::copy_patient_study(d, source);
  detail::put_series_and_sop(d, "RTSTRUCT", UID_RTStructureSetStorage, source, producer, output);
  detail::put_equipment(d, producer);
  d.putAndInsertString(DCM_FrameOfReferenceUID, source.frame_of_reference_uid.c_str());
  d.putAndInsertString(DCM_PositionReferenceIndicator, "");
  d.putAndInsertString(DCM_OperatorsName, "");
  d.putAndInsertString(DCM_StructureSetLabel, options.label.substr(0, 16).c_str());
  const std::string app = producer.app_name.empty() ? "medai" : producer.app_name;
  d.putAndInsertString(DCM_StructureSetName,
                       (options.name.empty() ? app : options.name).substr(0, 64).c_str());
  std::string description = app + " " + producer.app_version;
  if (producer.research_use_only) description = "RESEARCH USE ONLY - " + description;
  d.putAndInsertString(DCM_StructureSetDescription, description.c_str());
  d.putAndInsertString(DCM_StructureSetDate, output.content_date.c_str());
  d.putAndInsertString(DCM_StructureSetTime, output.content_time.c_str());

  DcmItem* for_item = append_item(d, DCM_ReferencedFrameOfReferenceSequence);
  for_item->putAndInsertString(DCM_FrameOfReferenceUID, source.frame_of_reference_uid.c_str());
  DcmItem* study_item = append_item(*for_item, DCM_RTReferencedStudySequence);
  study_item->putAndInsertString(DCM_ReferencedSOPClassUID, kStudyComponentSopClass);
  study_item->putAndInsertString(DCM_ReferencedSOPInstanceUID, source.study_instance_uid.c_str());
  DcmItem* series_item = append_item(*study_item, DCM_RTReferencedSeriesSequence);
  series_item->putAndInsertString(DCM_SeriesInstanceUID, source.series_instance_uid.c_str());
  for (const SourceSlice& s : source.slices) {
    DcmItem* img = append_item(*series_item, DCM_ContourImageSequence);
    img->putAndInsertString(DCM_ReferencedSOPClassUID, source.sop_class_uid.c_str());
    img->putAndInsertString(DCM_ReferencedSOPInstanceUID, s.sop_instance_uid.c_str());
  }

  RtStructWritten out;
  const std::size_t n = static_cast<std::size_t>(structures.nx) * structures.ny;
  std::vector<std::uint8_t> mask(n);
  for (std::size_t r = 0; r < rois.size(); ++r) {
    const RoiSpec& roi = rois[r];
    const std::string number = std::to_string(r + 1);
    DcmItem* ss = append_item(d, DCM_StructureSetROISequence);
    ss->putAndInsertString(DCM_ROINumber, number.c_str());
    ss->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, source.frame_of_reference_uid.c_str());
    ss->putAndInsertString(DCM_ROIName, roi.name.substr(0, 64).c_str());
    ss->putAndInsertString(DCM_ROIGenerationAlgorithm, "AUTOMATIC");
    ss->putAndInsertString(DCM_ROIGenerationDescription,
                           (app + " " + producer.app_version).substr(0, 64).c_str());

    DcmItem* rc = append_item(d, DCM_ROIContourSequence);
    const std::string color =
        std::to_string(roi.rgb[0]) + "\\" + std::to_string(roi.rgb[1]) + "\\" + std::to_string(roi.rgb[2]);
    rc->putAndInsertString(DCM_ROIDisplayColor, color.c_str());
    rc->putAndInsertString(DCM_ReferencedROINumber, number.c_str());
    int contour_number = 0;
    for (int k = 0; k < structures.nz; ++k) {
      const std::uint8_t* s = structures.slice(k);
      bool any = false;
      for (std::size_t i = 0; i < n; ++i) {
        mask[i] = voxel_in(roi, s[i]) ? 1 : 0;
        any = any || mask[i];
      }
      if (!any) continue;
      const imaging::Vec3 p0 = source.slices[static_cast<std::size_t>(k)].position;
      for (const imaging::Polygon& loop :
           imaging::trace_contours(mask.data(), structures.nx, structures.ny)) {
        DcmItem* c = append_item(*rc, DCM_ContourSequence);
        DcmItem* img = append_item(*c, DCM_ContourImageSequence);
        img->putAndInsertString(DCM_ReferencedSOPClassUID, source.sop_class_uid.c_str());
        img->putAndInsertString(DCM_ReferencedSOPInstanceUID,
                                source.slices[static_cast<std::size_t>(k)].sop_instance_uid.c_str());
        c->putAndInsertString(DCM_ContourGeometricType, "CLOSED_PLANAR");
        c->putAndInsertString(DCM_NumberOfContourPoints, std::to_string(loop.size()).c_str());
        c->putAndInsertString(DCM_ContourNumber, std::to_string(++contour_number).c_str());
        std::string data;
        data.reserve(loop.size() * 30);
        for (const imaging::Point2& p : loop) {
          if (!data.empty()) data += '\\';
          data += ds(p0.x + p.x * structures.spacing[0]) + "\\" + ds(p0.y + p.y * structures.spacing[1]) +
                  "\\" + ds(p0.z);
        }
        c->putAndInsertString(DCM_ContourData, data.c_str());
      }
    }
    out.contours_per_roi.push_back(contour_number);

    DcmItem* obs = append_item(d, DCM_RTROIObservationsSequence);
    obs->putAndInsertString(DCM_ObservationNumber, number.c_str());
    obs->putAndInsertString(DCM_ReferencedROINumber, number.c_str());
    if (!roi.code.empty())
      detail::put_code(*append_item(*obs, DCM_RTROIIdentificationCodeSequence), roi.code);
    obs->putAndInsertString(DCM_RTROIInterpretedType, roi.interpreted_type.c_str());
    obs->putAndInsertString(DCM_ROIInterpreter, "");
  }
  MEDAI_ASSIGN_OR_RETURN(out.object, detail::to_object(file, UID_RTStructureSetStorage, source, output));
  return out;
}

}  // namespace medai::annotations

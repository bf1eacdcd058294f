#include "annotations/rtstruct_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "annotations/common_modules.h"
#include "annotations/polygon_fill.h"

namespace medai::annotations {
namespace {
using detail::get_string;

constexpr std::size_t kMaxPointsPerContour = 1'000'000;

Status malformed(std::string message, nlohmann::json detail = nullptr) {
  return make_error(ErrorCode::invalid_dicom, "RTSTRUCT: " + std::move(message), std::move(detail));
}

DcmItem* item_of(DcmItem* parent, const DcmTagKey& seq, int index = 0) {
  DcmItem* item = nullptr;
  if (!parent || parent->findAndGetSequenceItem(seq, item, index).bad()) return nullptr;
  return item;
}

}  // namespace

Result<RtStructContents> parse_rtstruct(const std::string& bytes) {
  MEDAI_ASSIGN_OR_RETURN(std::unique_ptr<DcmFileFormat> file, detail::parse_bytes(bytes));
  DcmDataset& d = *file->getDataset();
  if (get_string(d, DCM_SOPClassUID) != UID_RTStructureSetStorage)
    return make_error(ErrorCode::unsupported_sop_class, "not an RT Structure Set");
  RtStructContents out;
  out.sop_instance_uid = get_string(d, DCM_SOPInstanceUID);
  out.series_instance_uid = get_string(d, DCM_SeriesInstanceUID);
  out.study_instance_uid = get_string(d, DCM_StudyInstanceUID);
  out.structure_set_label = get_string(d, DCM_StructureSetLabel);
  std::map<int, std::size_t> index_of_number;
  for (int i = 0;; ++i) {
    DcmItem* s = item_of(&d, DCM_StructureSetROISequence, i);
    if (!s) break;
    RtRoi roi;
    roi.number = std::atoi(get_string(*s, DCM_ROINumber).c_str());
    roi.name = get_string(*s, DCM_ROIName);
    roi.generation_algorithm = get_string(*s, DCM_ROIGenerationAlgorithm);
    roi.frame_of_reference_uid = get_string(*s, DCM_ReferencedFrameOfReferenceUID);
    if (index_of_number.count(roi.number)) return malformed("repeated ROI Number");
    index_of_number[roi.number] = out.rois.size();
    out.rois.push_back(std::move(roi));
  }
  for (int i = 0;; ++i) {
    DcmItem* o = item_of(&d, DCM_RTROIObservationsSequence, i);
    if (!o) break;
    auto it = index_of_number.find(std::atoi(get_string(*o, DCM_ReferencedROINumber).c_str()));
    if (it == index_of_number.end()) continue;  // observation of an unknown ROI: ignored
    RtRoi& roi = out.rois[it->second];
    roi.interpreted_type = get_string(*o, DCM_RTROIInterpretedType);
    if (DcmItem* c = item_of(o, DCM_RTROIIdentificationCodeSequence)) {
      roi.code = {get_string(*c, DCM_CodeValue), get_string(*c, DCM_CodingSchemeDesignator),
                  get_string(*c, DCM_CodeMeaning)};
    }
  }
  for (int i = 0;; ++i) {
    DcmItem* rc = item_of(&d, DCM_ROIContourSequence, i);
    if (!rc) break;
    auto it = index_of_number.find(std::atoi(get_string(*rc, DCM_ReferencedROINumber).c_str()));
    if (it == index_of_number.end()) return malformed("ROI Contour refers to an undeclared ROI");
    RtRoi& roi = out.rois[it->second];
    for (int c = 0; c < 3; ++c) {
      Sint32 v = 0;
      if (rc->findAndGetSint32(DCM_ROIDisplayColor, v, static_cast<unsigned long>(c)).good())
        roi.rgb[static_cast<std::size_t>(c)] = static_cast<int>(v);
    }
    for (int ci = 0;; ++ci) {
      DcmItem* c = item_of(rc, DCM_ContourSequence, ci);
      if (!c) break;
      RtContour contour;
      contour.geometric_type = get_string(*c, DCM_ContourGeometricType);
      if (DcmItem* img = item_of(c, DCM_ContourImageSequence))
        contour.referenced_sop_instance_uid = get_string(*img, DCM_ReferencedSOPInstanceUID);
      DcmElement* data = nullptr;
      if (c->findAndGetElement(DCM_ContourData, data).bad() || !data) continue;  // a contour without points
      const unsigned long vm = data->getVM();
      if (vm % 3 != 0 || vm / 3 > kMaxPointsPerContour)
        return malformed("Contour Data is not a list of (x, y, z) points", {{"roi_number", roi.number}});
      contour.points.reserve(vm / 3);
      for (unsigned long p = 0; p < vm; p += 3) {
        Float64 xyz[3];
        for (unsigned long a = 0; a < 3; ++a) {
          if (data->getFloat64(xyz[a], p + a).bad() || !std::isfinite(xyz[a]))
            return malformed("Contour Data holds a value that is not a number", {{"roi_number", roi.number}});
        }
        contour.points.push_back({xyz[0], xyz[1], xyz[2]});
      }
      roi.contours.push_back(std::move(contour));
    }
  }
  return out;
}

Result<RtMasks> rasterise_rtstruct(const RtStructContents& contents, const SourceSeries& geometry) {
  std::map<std::string, int> slice_of_uid;
  for (int k = 0; k < geometry.nz(); ++k)
    slice_of_uid[geometry.slices[static_cast<std::size_t>(k)].sop_instance_uid] = k;
  const double dz = geometry.spacing[2];
  const double z_tolerance = 0.01 + 0.01 * std::fabs(dz);
  RtMasks out;
  for (const RtRoi& roi : contents.rois) {
    if (!roi.frame_of_reference_uid.empty() && !geometry.frame_of_reference_uid.empty() &&
        roi.frame_of_reference_uid != geometry.frame_of_reference_uid) {
      return make_error(ErrorCode::geometry_mismatch, "RTSTRUCT: an ROI is on another frame of reference",
                        {{"roi_number", roi.number}});
    }
    imaging::Volume<std::uint8_t> mask = geometry.empty_mask();
    std::map<int, std::vector<imaging::Polygon>> loops_by_slice;
    for (const RtContour& c : roi.contours) {
      if (c.geometric_type != "CLOSED_PLANAR" || c.points.size() < 3) {
        ++out.contours_not_closed;
        continue;
      }
      int k = -1;
      auto u = slice_of_uid.find(c.referenced_sop_instance_uid);
      if (u != slice_of_uid.end()) k = u->second;
      const double z = c.points.front().z;
      if (k < 0 && dz > 0) {
        const long kr = std::lround((z - geometry.origin[2]) / dz);
        if (kr >= 0 && kr < geometry.nz() &&
            std::fabs(z - geometry.slices[static_cast<std::size_t>(kr)].position.z) <= z_tolerance)
          k = static_cast<int>(kr);
      }
      if (k < 0) {
        return make_error(ErrorCode::geometry_mismatch, "RTSTRUCT: a contour lies on no slice of the series",
                          {{"roi_number", roi.number}, {"z_mm", z}});
      }
      const imaging::Vec3 p0 = geometry.slices[static_cast<std::size_t>(k)].position;
      imaging::Polygon loop;
      loop.reserve(c.points.size());
      for (const imaging::Vec3& p : c.points) {
        if (std::fabs(p.z - p0.z) > z_tolerance) {
          return make_error(ErrorCode::geometry_mismatch, "RTSTRUCT: a planar contour leaves its slice plane",
                            {{"roi_number", roi.number}});
        }
        loop.push_back({(p.x - p0.x) / geometry.spacing[0], (p.y - p0.y) / geometry.spacing[1]});
      }
      loops_by_slice[k].push_back(std::move(loop));
      ++out.contours_filled;
    }
    for (const auto& [k, loops] : loops_by_slice) fill_even_odd(loops, mask.nx, mask.ny, mask.slice(k));
    out.masks.push_back(std::move(mask));
  }
  return out;
}

}  // namespace medai::annotations

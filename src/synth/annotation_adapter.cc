#include "synth/annotation_adapter.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

namespace medai::synth {

annotations::SourceSeries source_of(const WrittenSeries& ct, const StudyIdentity& id,
                                    const Volume<std::uint8_t>& grid) {
  annotations::SourceSeries s;
  s.study_instance_uid = id.study_uid;
  s.series_instance_uid = ct.series_uid;
  s.frame_of_reference_uid = id.frame_of_reference_uid;
  s.sop_class_uid = ct.sop_class_uid;
  s.nx = grid.nx;
  s.ny = grid.ny;
  s.spacing = grid.spacing;
  s.origin = grid.origin;
  for (std::size_t k = 0; k < ct.sop_uids.size(); ++k) {
    s.slices.push_back({ct.sop_uids[k], grid.position(0, 0, static_cast<double>(k))});
  }
  auto item = std::make_shared<DcmItem>();
  put_patient_study(*item, id);
  s.patient_study = item;
  return s;
}

annotations::Producer synth_producer() {
  annotations::Producer p;
  p.manufacturer = "medai";
  p.app_name = "medai synth";
  p.app_version = MEDAI_VERSION;
  p.institution_name = "Synthetic data (no real patient)";
  p.device_serial_number = "SYNTH-0001";
  return p;
}

annotations::OutputSeries synth_output(const SeriesInfo& series, const std::string& sop_uid,
                                       const StudyIdentity& id) {
  annotations::OutputSeries o;
  o.series_instance_uid = series.uid;
  o.sop_instance_uid = sop_uid;
  o.series_number = series.number;
  o.series_description = series.description;
  o.content_date = id.study_date;
  o.content_time = id.study_time;
  return o;
}

Status write_ground_truth_seg(const Volume<std::uint8_t>& labels,
                              const std::vector<annotations::SegmentSpec>& segments, const WrittenSeries& ct,
                              const StudyIdentity& id, const SeriesInfo& series, const std::string& sop_uid,
                              const std::filesystem::path& path) {
  if (static_cast<int>(ct.sop_uids.size()) != labels.nz) {
    return make_error(ErrorCode::invalid_argument, "SEG: label volume and CT series differ in slice count");
  }
  annotations::SegOptions options;
  options.content_label = "GROUND_TRUTH";
  options.content_description = "Synthetic ground truth (exact by construction)";
  options.content_creator = "MEDAI^SYNTH";
  MEDAI_ASSIGN_OR_RETURN(annotations::DicomObject seg,
                         annotations::write_seg(labels, segments, source_of(ct, id, labels), synth_producer(),
                                                synth_output(series, sop_uid, id), options));
  return annotations::save_object(seg, path);
}

Result<std::vector<int>> write_ground_truth_rtstruct(const Volume<std::uint8_t>& structures,
                                                     const std::vector<annotations::RoiSpec>& rois,
                                                     const WrittenSeries& ct, const StudyIdentity& id,
                                                     const SeriesInfo& series, const std::string& sop_uid,
                                                     const std::filesystem::path& path) {
  if (static_cast<int>(ct.sop_uids.size()) != structures.nz) {
    return make_error(ErrorCode::invalid_argument,
                      "RTSTRUCT: structure volume and CT series differ in slice count");
  }
  annotations::RtStructOptions options;
  options.label = "SYNTH_RT";
  options.name = "Synthetic ground truth";
  MEDAI_ASSIGN_OR_RETURN(
      annotations::RtStructWritten rs,
      annotations::write_rtstruct(structures, rois, source_of(ct, id, structures), synth_producer(),
                                  synth_output(series, sop_uid, id), options));
  MEDAI_RETURN_IF_ERROR(annotations::save_object(rs.object, path));
  return rs.contours_per_roi;
}

}  // namespace medai::synth

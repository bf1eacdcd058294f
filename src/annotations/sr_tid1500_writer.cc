#include "annotations/sr_tid1500_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "annotations/common_modules.h"

namespace medai::annotations {
namespace {
using detail::dcmtk_error;
using detail::get_string;

DSRCodedEntryValue coded(const Code& c) { return DSRCodedEntryValue(c.value, c.scheme, c.meaning); }

#define MEDAI_DCMTK_TRY(what, expr)                             \
  do {                                                          \
    const OFCondition medai_cond = (expr);                      \
    if (medai_cond.bad()) return dcmtk_error(what, medai_cond); \
  } while (0)

// Decimal string of a measurement (DS: at most 16 characters).
std::string numeric(double v) { return detail::ds(v); }

Status add_evaluation(TID1500_MeasurementReport::TID1501_Measurements& group, const SrEvaluation& e) {
  const OFCondition c = e.coded_value.empty()
                            ? group.addQualitativeEvaluation(coded(e.name), OFString(e.text_value.c_str()))
                            : group.addQualitativeEvaluation(coded(e.name), coded(e.coded_value));
  if (c.bad()) return dcmtk_error("add a qualitative evaluation", c);
  return Status::ok();
}

void walk_groups(DcmItem& item, int depth, std::string tracking_id, std::vector<SrMeasurementRead>& out) {
  if (depth > 64) return;  // deeper than any TID 1500 tree: hostile input
  for (int i = 0;; ++i) {
    DcmItem* child = nullptr;
    if (item.findAndGetSequenceItem(DCM_ContentSequence, child, i).bad() || !child) break;
    const std::string type = get_string(*child, DCM_ValueType);
    DcmItem* name = nullptr;
    std::string code_value;
    if (child->findAndGetSequenceItem(DCM_ConceptNameCodeSequence, name, 0).good() && name)
      code_value = get_string(*name, DCM_CodeValue);
    if (type == "TEXT" && code_value == "112039") tracking_id = get_string(*child, DCM_TextValue);
  }
  for (int i = 0;; ++i) {
    DcmItem* child = nullptr;
    if (item.findAndGetSequenceItem(DCM_ContentSequence, child, i).bad() || !child) break;
    const std::string type = get_string(*child, DCM_ValueType);
    if (type == "NUM") {
      SrMeasurementRead m;
      m.tracking_id = tracking_id;
      DcmItem* name = nullptr;
      if (child->findAndGetSequenceItem(DCM_ConceptNameCodeSequence, name, 0).good() && name)
        m.concept_value = get_string(*name, DCM_CodeValue);
      DcmItem* mv = nullptr;
      if (child->findAndGetSequenceItem(DCM_MeasuredValueSequence, mv, 0).good() && mv) {
        m.value = std::strtod(get_string(*mv, DCM_NumericValue).c_str(), nullptr);
        DcmItem* unit = nullptr;
        if (mv->findAndGetSequenceItem(DCM_MeasurementUnitsCodeSequence, unit, 0).good() && unit)
          m.unit = get_string(*unit, DCM_CodeValue);
        out.push_back(m);
      }
    } else if (type == "CONTAINER") {
      walk_groups(*child, depth + 1, tracking_id, out);
    }
  }
}

}  // namespace

Result<DicomObject> write_sr_tid1500(const std::vector<SrFinding>& findings, const SourceSeries& source,
                                     const Producer& producer, const OutputSeries& output,
                                     const SrOptions& options) {
  detail::quiet_dcmtk();
  std::set<int> cited;
  for (const SrFinding& f : findings) {
    for (int k : f.source_slices) {
      if (k < 0 || k >= source.nz()) {
        return make_error(ErrorCode::invalid_argument,
                          "SR: a finding cites a slice outside the source series",
                          {{"tracking_id", f.tracking_id}, {"slice", k}});
      }
      cited.insert(k);
    }
  }
  const std::string app = producer.app_name.empty() ? "medai" : producer.app_name;

  TID1500_MeasurementReport report(CMR_CID7021::ImagingMeasurementReport);
  MEDAI_DCMTK_TRY("set the SR language", report.setLanguage(CID5000_Languages(CID5000_Languages::English)));
  // The device observer's UID is fixed by the app build, so every report of
  // one package version names the same device.
  const std::string device_uid =
      uid_from_label("device/" + app + "/" + producer.app_version + "/" + producer.package_digest);
  MEDAI_DCMTK_TRY("add the device observer",
                  report.getObservationContext().addDeviceObserver(
                      device_uid.c_str(), app.substr(0, 64).c_str(),
                      producer.manufacturer.substr(0, 64).c_str(), app.substr(0, 64).c_str()));
  MEDAI_DCMTK_TRY("add the procedure reported",
                  report.addProcedureReported(coded(options.procedure_reported)));

  // Image library: one group with the source slices the findings cite.
  MEDAI_DCMTK_TRY("create the image library", report.getImageLibrary().createNewImageLibrary());
  if (!cited.empty()) {
    MEDAI_DCMTK_TRY("add an image group", report.getImageLibrary().addImageGroup());
    for (int k : cited) {
      DcmItem entry;
      entry.putAndInsertString(DCM_SOPClassUID, source.sop_class_uid.c_str());
      entry.putAndInsertString(DCM_SOPInstanceUID,
                               source.slices[static_cast<std::size_t>(k)].sop_instance_uid.c_str());
      entry.putAndInsertString(DCM_Modality, source.modality.c_str());
      MEDAI_DCMTK_TRY("add an image library entry", report.getImageLibrary().addImageEntry(
                                                        entry, TID1600_ImageLibrary::withAllDescriptors));
    }
  }

  for (const SrFinding& f : findings) {
    MEDAI_DCMTK_TRY("add a measurement group", report.addIndividualMeasurements());
    auto& group = report.getIndividualMeasurements();
    MEDAI_DCMTK_TRY("set the tracking identifier",
                    group.setTrackingIdentifier(f.tracking_id.substr(0, 64).c_str()));
    const std::string tracking_uid =
        f.tracking_uid.empty() ? uid_from_label(output.sop_instance_uid + "/tracking/" + f.tracking_id)
                               : f.tracking_uid;
    MEDAI_DCMTK_TRY("set the tracking UID", group.setTrackingUniqueIdentifier(tracking_uid.c_str()));
    MEDAI_DCMTK_TRY("set the finding", group.setFinding(coded(f.finding)));
    if (!f.finding_site.empty())
      MEDAI_DCMTK_TRY("add the finding site", group.addFindingSite(coded(f.finding_site)));
    for (const SrMeasurement& m : f.measurements) {
      if (!std::isfinite(m.value))
        return make_error(ErrorCode::invalid_argument, "SR: a measurement is not a finite number",
                          {{"tracking_id", f.tracking_id}, {"name", m.name.value}});
      const CMR_TID1501_in_TID1500::MeasurementValue value(numeric(m.value).c_str(), coded(m.unit));
      MEDAI_DCMTK_TRY("add a measurement",
                      group.addMeasurement(CID7469_GenericIntensityAndSizeMeasurements(coded(m.name)), value,
                                           OFFalse /*always a new TID 300*/));
      for (int k : f.source_slices) {
        const DSRImageReferenceValue image(
            source.sop_class_uid.c_str(),
            source.slices[static_cast<std::size_t>(k)].sop_instance_uid.c_str());
        MEDAI_DCMTK_TRY("cite the source image",
                        group.getMeasurement().addImage(CODE_DCM_SourceOfMeasurement, image));
      }
    }
    for (const SrEvaluation& e : f.evaluations) MEDAI_RETURN_IF_ERROR(add_evaluation(group, e));
  }
  for (const SrEvaluation& e : options.report_evaluations) {
    const OFCondition c = e.coded_value.empty()
                              ? report.addQualitativeEvaluation(coded(e.name), OFString(e.text_value.c_str()))
                              : report.addQualitativeEvaluation(coded(e.name), coded(e.coded_value));
    if (c.bad()) return dcmtk_error("add a report-level evaluation", c);
  }
  if (producer.research_use_only) {
    std::string note = std::string("RESEARCH USE ONLY - ") +
                       (producer.synthetic_training_data ? "trained on synthetic data - " : "") +
                       "not for diagnostic use. Produced by " + app + " " + producer.app_version;
    if (!producer.package_digest.empty()) note += " (package " + producer.package_digest + ")";
    MEDAI_DCMTK_TRY("add the research-use note",
                    report.addQualitativeEvaluation(CODE_DCM_Comment, OFString(note.c_str())));
  }
  if (!report.isValid())
    return make_error(ErrorCode::internal, "SR: DCMTK considers the TID 1500 report incomplete");

  DSRDocument doc;
  MEDAI_DCMTK_TRY("build the SR document",
                  doc.setTreeFromRootTemplate(report, OFTrue /*expand included templates*/));
  for (int k : cited) {
    MEDAI_DCMTK_TRY("list the evidence",
                    doc.getCurrentRequestedProcedureEvidence().addItem(
                        source.study_instance_uid.c_str(), source.series_instance_uid.c_str(),
                        source.sop_class_uid.c_str(),
                        source.slices[static_cast<std::size_t>(k)].sop_instance_uid.c_str()));
  }
  doc.setSeriesDescription(research_prefixed(producer, output.series_description).c_str());
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  MEDAI_DCMTK_TRY("write the SR", doc.write(d));
  const std::string sop_class = get_string(d, DCM_SOPClassUID);
  // DSRDocument stamps new UIDs and the current time: results are
  // deterministic, carry the source's patient/study and the producer.
  detail::copy_patient_study(d, source);
  detail::put_series_and_sop(d, "SR", sop_class.c_str(), source, producer, output);
  d.putAndInsertString(DCM_ContentDate, output.content_date.c_str());
  d.putAndInsertString(DCM_ContentTime, output.content_time.c_str());
  detail::put_equipment(d, producer);
  return detail::to_object(file, sop_class.c_str(), source, output);
}

Result<std::vector<SrMeasurementRead>> read_sr_measurements(const std::string& bytes) {
  MEDAI_ASSIGN_OR_RETURN(std::unique_ptr<DcmFileFormat> file, detail::parse_bytes(bytes));
  DcmDataset& d = *file->getDataset();
  if (get_string(d, DCM_Modality) != "SR")
    return make_error(ErrorCode::unsupported_sop_class, "not an SR document");
  std::vector<SrMeasurementRead> out;
  walk_groups(d, 0, "", out);
  return out;
}

}  // namespace medai::annotations

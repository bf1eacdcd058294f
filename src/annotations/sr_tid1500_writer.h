#pragma once
// DICOM SR "Imaging Measurement Report" (TID 1500) writer, built with DCMTK's
// TID 1500 classes (dcmsr/cmr) and stored as Enhanced SR:
//   Imaging Measurement Report (126000, DCM)
//   ├─ Language of Content (eng)            TID 1204
//   ├─ Observer Context: device = the app   TID 1001 (UID derived from the package)
//   ├─ Procedure Reported                   (options.procedure_reported)
//   ├─ Image Library                        TID 1600: every source slice a finding cites
//   ├─ Imaging Measurements
//   │   └─ Measurement Group per finding    TID 1501: Tracking Identifier + UID,
//   │       Finding, Finding Site, measurements (TID 300, each citing its source
//   │       image), qualitative evaluations (coded or text)
//   └─ Qualitative Evaluations (report level, e.g. Lung-RADS category, and
//      "RESEARCH USE ONLY" as a Comment when the producer says so)
// Current Requested Procedure Evidence lists the cited source instances.
#include <string>
#include <vector>

#include "annotations/codes.h"
#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/source_series.h"

namespace medai::annotations {

struct SrMeasurement {
  Code name;  // e.g. codes::kLongAxis (CID 7469 / 7470)
  double value = 0;
  Code unit;  // UCUM, e.g. codes::kMillimetre, codes::kCubicMillimetre
};

struct SrEvaluation {
  Code name;
  Code coded_value;        // used when not empty
  std::string text_value;  // otherwise this text
};

struct SrFinding {
  std::string tracking_id;   // finding id (also the JSON result's id)
  std::string tracking_uid;  // empty: derived from the SR's UID and tracking_id
  Code finding = codes::kNodule;
  Code finding_site = codes::kLung;
  std::vector<SrMeasurement> measurements;
  std::vector<SrEvaluation> evaluations;
  std::vector<int> source_slices;  // slice indices k of `source` the finding is measured on
};

struct SrOptions {
  Code procedure_reported{"363679005", "SCT", "Imaging procedure"};
  std::vector<SrEvaluation> report_evaluations;  // exam level
};

// Writes the report; `findings` may be empty (a report saying nothing was
// found is valid). Slice indices outside the series: invalid_argument.
Result<DicomObject> write_sr_tid1500(const std::vector<SrFinding>& findings, const SourceSeries& source,
                                     const Producer& producer, const OutputSeries& output,
                                     const SrOptions& options = {});

// Reads back the numeric measurements of a TID 1500 SR as
// (tracking identifier, name code value, value) triples: a check that
// needs no pydicom, also handy for the feedback UI.
struct SrMeasurementRead {
  std::string tracking_id, concept_value, unit;
  double value = 0;
};
Result<std::vector<SrMeasurementRead>> read_sr_measurements(const std::string& bytes);

}  // namespace medai::annotations

#pragma once
// Internal helpers shared by the writers (DCMTK types allowed here; not
// included by public headers).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

#include "annotations/codes.h"
#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/source_series.h"

namespace medai::annotations::detail {

// Decimal string for DS attributes (at most 16 characters).
std::string ds(double v);

// Copies the patient/study attributes of the source (or only the Study
// Instance UID when the source has no attribute item).
void copy_patient_study(DcmItem& target, const SourceSeries& source);

// General Equipment (Manufacturer, Model = app name, Software Versions = app
// version + medai version) and a Contributing Equipment item recording the
// app, its package digest, the input digest and the job.
void put_equipment(DcmItem& target, const Producer& producer);

// General Series (new series in the source study) + SOP Common + dates.
void put_series_and_sop(DcmItem& target, const char* modality, const char* sop_class_uid,
                        const SourceSeries& source, const Producer& producer, const OutputSeries& output);

void put_code(DcmItem& item, const Code& code);
DcmItem* append_item(DcmItem& parent, const DcmTagKey& sequence);

// Serialises with file meta information (Explicit VR Little Endian).
Result<DicomObject> to_object(DcmFileFormat& file, const char* sop_class_uid, const SourceSeries& source,
                              const OutputSeries& output);

// DCMTK's console messages would break the one-JSON-object-per-line log;
// every problem reaches the caller as a Status instead (as in src/dicom).
void quiet_dcmtk();

Status dcmtk_error(const char* what, const OFCondition& condition);

// Loads Part 10 bytes (or a bare data set) from memory; invalid_dicom on failure.
Result<std::unique_ptr<DcmFileFormat>> parse_bytes(const std::string& bytes);

// Text of an attribute ("" when absent).
std::string get_string(DcmItem& item, const DcmTagKey& tag, unsigned long pos = 0);

}  // namespace medai::annotations::detail

#pragma once
// Options of the PS3.15 Annex E profile that medai offers. Defaults give the
// plain Basic Application Level Confidentiality Profile.
#include <string>

namespace medai::deid {

struct DeidOptions {
  // Retain Longitudinal Temporal Information with Modified Dates: every date
  // and datetime is shifted by one whole-day offset per patient (keyed hash of
  // the original Patient ID); times of day are kept.
  bool retain_modified_dates = false;
  // Retain Longitudinal Temporal Information with Full Dates (dates kept as
  // they are). Mutually exclusive with retain_modified_dates.
  bool retain_full_dates = false;
  bool retain_patient_characteristics = false;  // sex, age, size, weight, ...
  bool retain_device_identity = false;          // station name, serial numbers, ...
  bool retain_institution_identity = false;     // institution name/address
  bool retain_uids = false;                     // keep all UIDs (off by default)
  bool clean_descriptors = false;               // keep descriptions, scrubbed (text_cleaner.h)
  // Retain Safe Private: keep private attributes on the safe list
  // (private_tags.h); otherwise every private attribute is removed.
  bool retain_safe_private = false;
  // Namespace inside an institution: the same input UID / patient maps to the
  // same output within one project and to unrelated outputs across projects.
  std::string project;
};

}  // namespace medai::deid

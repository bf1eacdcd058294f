#pragma once
// FHIR R4 Bundle → PatientRecord. Reads Patient (gender, birthDate → age at
// the latest observation's date, else today), Observation (LOINC, UCUM
// valueQuantity; the latest of each code wins), Condition (SNOMED CT or
// ICD-10 / ICD-10-CM: T2D, ASCVD, heart failure, CKD, pregnancy,
// hypoglycaemia, frailty) and MedicationStatement (ATC or RxNorm
// ingredient codes → drug classes). Other resources and codes are ignored,
// except an ATC A10 (glucose-lowering) code this app cannot classify, which
// is a problem because it would change the advice.
//
// Structural checks of the R4 resources used (the required elements and
// code systems) are reported per element as JSON Pointers into the Bundle,
// with the same problem codes as the JSON input (patient_record.h).
// The birth date is used for the age only; it is never echoed or logged.
#include <nlohmann/json.hpp>
#include <string>

#include "diabetes/patient_record.h"

namespace medai::diabetes {

inline constexpr const char* kLoinc = "http://loinc.org";
inline constexpr const char* kSnomed = "http://snomed.info/sct";
inline constexpr const char* kIcd10 = "http://hl7.org/fhir/sid/icd-10";
inline constexpr const char* kIcd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr const char* kAtc = "http://www.whocc.no/atc";
inline constexpr const char* kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr const char* kUcum = "http://unitsofmeasure.org";

// `today` (YYYY-MM-DD) is the age reference when no observation is dated.
RecordOrProblems parse_fhir_bundle(const nlohmann::json& bundle, const std::string& today);

}  // namespace medai::diabetes

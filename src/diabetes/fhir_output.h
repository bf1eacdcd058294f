#pragma once
// The advice as a FHIR R4 Bundle (type "collection"): a RequestGroup with
// one action per ranked recommendation (each citing the rules that fired as
// RelatedArtifact citations), a Goal for the HbA1c target, and a
// RiskAssessment when the risk model ran (probability of type 2 diabetes,
// with the per-feature contributions in its note). Resources carry only
// what R4 requires plus the advice; no identifying data.
#include <nlohmann/json.hpp>
#include <string>

namespace medai::diabetes {

// `advice` is a medai.diabetes-advice/1 document. `subject_reference` is the
// caller's Patient reference (e.g. "Patient/123" from a FHIR input); when
// empty the Bundle carries its own minimal Patient resource (no identifiers,
// by design: JSON input has none) so the required subject references resolve.
nlohmann::json advice_to_fhir(const nlohmann::json& advice, const std::string& subject_reference = {});

// Structural check of the R4 elements this module writes (required elements
// and code values of Bundle, RequestGroup, Goal, RiskAssessment, Patient);
// empty when valid. Used by the tests and as a self-check.
std::vector<std::string> check_fhir_output(const nlohmann::json& bundle);

}  // namespace medai::diabetes

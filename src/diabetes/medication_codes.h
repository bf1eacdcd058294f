#pragma once
// Which glucose-lowering drug classes a medication is (the classes of
// patient_record.h: metformin, sglt2i, glp1ra, dpp4i, sulfonylurea, tzd,
// basal_insulin, prandial_insulin), from its code or, when the code is not
// one this app knows, from its name:
//   - ATC (WHO): A10 classes and the common A10BD fixed-dose combinations;
//   - RxNorm: ingredient (IN) concepts of the common agents;
//   - names: generic ingredient names (English) and common brand names, as
//     found in a coding's display or a CodeableConcept's text, e.g. RxNorm
//     clinical drugs ("sitagliptin 50 MG / metformin hydrochloride 1000 MG
//     Oral Tablet") that the ingredient table does not list.
// A combination gives each of its classes. An empty result: not a
// glucose-lowering drug this app knows.
#include <string>
#include <string_view>
#include <vector>

namespace medai::diabetes {

std::vector<std::string> atc_drug_classes(const std::string& code);
std::vector<std::string> rxnorm_drug_classes(const std::string& code);
std::vector<std::string> drug_classes_from_name(std::string_view text);

}  // namespace medai::diabetes

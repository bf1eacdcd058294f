#pragma once
// Protected health information must never reach logs, errors or crash output.
// mask_phi() turns an identifying value into a stable, non-reversible token
// (a keyed BLAKE2b digest prefix) so log lines about the same patient can be
// correlated without revealing who it is.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace medai::phi {

// True for field names that carry patient data (patient_name, PatientID,
// birth_date, accession_number, ...), compared without case or separators.
bool is_phi_field(std::string_view key);

// "phi:" + 12 hex digits of keyed BLAKE2b(value); empty stays empty.
std::string mask(std::string_view value);

// Recursively masks every value whose key is a PHI field.
nlohmann::json mask_fields(const nlohmann::json& fields);

// Sets the per-installation masking key (from the data folder's secret), so
// tokens cannot be reversed by hashing a dictionary of names with a public key.
void set_mask_key(std::string_view key);

}  // namespace medai::phi

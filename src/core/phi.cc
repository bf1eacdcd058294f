#include "core/phi.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <shared_mutex>

#include "core/crypto.h"

namespace medai::phi {
namespace {

// Normalised (lower-case, no separators) names of fields that identify a
// patient: DICOM keywords and the snake_case names used in our own code.
constexpr std::string_view kPhiKeys[] = {
    "patientname",     "patientid",          "patientbirthdate",   "birthdate",
    "dateofbirth",     "dob",                "patientaddress",     "address",
    "patientsex",      "otherpatientids",    "otherpatientnames",  "patientmothersbirthname",
    "accessionnumber", "medicalrecordlocator", "mrn",              "patienttelephonenumbers",
    "phone",           "email",              "ssn",                "nationalid",
    "idcardnumber",    "referringphysicianname", "institutionaladdress", "patientage",
    "patientweight",   "patientcomments",    "patientbirthname"};

std::string normalise(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '_' || c == '-' || c == ' ' || c == '.') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::shared_mutex key_mutex;
std::string mask_key = "medai-default-phi-mask-key";

}  // namespace

bool is_phi_field(std::string_view key) {
  const std::string k = normalise(key);
  return std::find(std::begin(kPhiKeys), std::end(kPhiKeys), k) != std::end(kPhiKeys);
}

void set_mask_key(std::string_view key) {
  std::unique_lock lock(key_mutex);
  mask_key = std::string(key);
}

std::string mask(std::string_view value) {
  if (value.empty()) return {};
  std::shared_lock lock(key_mutex);
  return "phi:" + crypto::blake2b_hex(value, mask_key, 16).substr(0, 12);
}

nlohmann::json mask_fields(const nlohmann::json& fields) {
  if (fields.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (is_phi_field(it.key())) {
        const auto& v = it.value();
        if (v.is_null()) {
          out[it.key()] = nullptr;
        } else {
          out[it.key()] = mask(v.is_string() ? v.get<std::string>() : v.dump());
        }
      } else {
        out[it.key()] = mask_fields(it.value());
      }
    }
    return out;
  }
  if (fields.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : fields) out.push_back(mask_fields(v));
    return out;
  }
  return fields;
}

}  // namespace medai::phi

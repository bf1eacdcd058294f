#pragma once
// Patient pseudonyms the institution can map back with its key, and nobody
// else can (docs/adr/0003-pseudonymisation.md):
//   siv = BLAKE2b(mac_key, id)[0..12)               (synthetic IV, also the tag)
//   ct  = XChaCha20(enc_key, nonce = siv || 0^12) XOR id
//   pseudonym = base32(siv || ct)                   (A-Z, 2-7; fits LO)
// Deterministic (same ID -> same pseudonym, so a patient's studies stay
// linked) and authenticated (a forged or foreign pseudonym is rejected).
// Identifiers longer than kMaxReversibleLength bytes would not fit the 64
// characters of Patient ID once encrypted; they get "9" + base32 of a keyed
// 128-bit hash instead, which links but cannot be reversed.
#include <string>
#include <string_view>

#include "core/status.h"
#include "deid/keys.h"

namespace medai::deid {

inline constexpr std::size_t kMaxReversibleLength = 28;

class Pseudonymizer {
 public:
  explicit Pseudonymizer(const DeidKeys& keys)
      : mac_(keys.pseudonym_mac_key()), enc_(keys.pseudonym_enc_key()) {}
  // "" for an empty identifier; otherwise at most 64 characters of [A-Z2-79].
  std::string pseudonymize(std::string_view identifier) const;
  // The original identifier; invalid_argument when the pseudonym was not made
  // with this key (or is damaged); unprocessable for the irreversible "9" form.
  Result<std::string> reidentify(std::string_view pseudonym) const;

 private:
  std::string mac_, enc_;
};

// Convenience for callers holding only the institution secret.
Result<std::string> reidentify(std::string_view pseudonym, std::string_view institution_secret,
                               std::string_view project = "");

}  // namespace medai::deid

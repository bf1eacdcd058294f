#pragma once
// Key material of de-identification. All keys derive from the institution
// secret (the data folder's secret.key, 32 bytes, or a --key-file) with keyed
// BLAKE2b and a purpose label, so each purpose has an independent key and
// nothing here ever stores the secret itself.
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::deid {

class DeidKeys {
 public:
  // `secret`: 64 hex characters (secret.key format) or at least 32 raw bytes.
  static Result<DeidKeys> from_secret(std::string_view secret, std::string_view project = "");

  const std::string& uid_key() const { return uid_; }
  const std::string& date_key() const { return date_; }
  const std::string& pseudonym_mac_key() const { return mac_; }
  const std::string& pseudonym_enc_key() const { return enc_; }

 private:
  std::string uid_, date_, mac_, enc_;
};

// Reads a key file: 64 hex characters (whitespace trimmed) or >= 32 raw bytes.
Result<std::string> read_key_file(const std::string& path);

}  // namespace medai::deid

#include "deid/keys.h"

#include <cctype>
#include <fstream>
#include <iterator>

#include "core/crypto.h"

namespace medai::deid {
namespace {

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string from_hex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(std::stoi(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Result<DeidKeys> DeidKeys::from_secret(std::string_view secret, std::string_view project) {
  std::string master;
  const std::string trimmed = trim(secret);
  if (trimmed.size() == 64 && is_hex(trimmed)) {
    master = from_hex(trimmed);
  } else if (secret.size() >= 32) {
    master = crypto::blake2b(secret, "", 32);  // long raw secrets compress to 32 bytes
  } else {
    return make_error(ErrorCode::invalid_argument,
                      "the de-identification key must be 64 hex characters or at least 32 bytes");
  }
  auto derive = [&](std::string_view purpose) {
    std::string label = "medai.deid.v1/";
    label += purpose;
    label += '/';
    label += project;
    return crypto::blake2b(label, master, 32);
  };
  DeidKeys keys;
  keys.uid_ = derive("uid");
  keys.date_ = derive("date-shift");
  keys.mac_ = derive("pseudonym-siv");
  keys.enc_ = derive("pseudonym-enc");
  return keys;
}

Result<std::string> read_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io_error, "cannot read the key file", {{"path", path}});
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string trimmed = trim(content);
  if (trimmed.size() == 64 && is_hex(trimmed)) return trimmed;
  if (content.size() >= 32) return content;
  return make_error(ErrorCode::invalid_argument,
                    "the key file must hold 64 hex characters or at least 32 bytes", {{"path", path}});
}

}  // namespace medai::deid

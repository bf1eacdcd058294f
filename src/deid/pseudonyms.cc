#include "deid/pseudonyms.h"

#include <optional>

#include "core/crypto.h"

namespace medai::deid {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kSivBytes = 12;
constexpr char kIrreversiblePrefix = '9';  // not in the base32 alphabet

std::string base32_encode(std::string_view bytes) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<unsigned>(pos);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string nonce_of(std::string_view siv) {
  std::string nonce(siv);
  nonce.resize(24, '\0');
  return nonce;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\0')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Pseudonymizer::pseudonymize(std::string_view identifier) const {
  identifier = trim(identifier);
  if (identifier.empty()) return {};
  if (identifier.size() > kMaxReversibleLength) {
    std::string label = "long-id/";
    label += identifier;
    return kIrreversiblePrefix + base32_encode(crypto::blake2b(label, mac_, 16));
  }
  const std::string siv = crypto::blake2b(identifier, mac_, 16).substr(0, kSivBytes);
  const std::string ct = crypto::xchacha20_xor(identifier, nonce_of(siv), enc_);
  return base32_encode(siv + ct);
}

Result<std::string> Pseudonymizer::reidentify(std::string_view pseudonym) const {
  pseudonym = trim(pseudonym);
  if (!pseudonym.empty() && pseudonym.front() == kIrreversiblePrefix)
    return make_error(
        ErrorCode::unprocessable,
        "this pseudonym stands for an identifier longer than 28 characters and is a keyed hash: "
        "it links studies but cannot be reversed");
  auto bytes = base32_decode(pseudonym);
  if (!bytes || bytes->size() <= kSivBytes)
    return make_error(ErrorCode::invalid_argument, "not a medai pseudonym");
  const std::string siv = bytes->substr(0, kSivBytes);
  const std::string id =
      crypto::xchacha20_xor(std::string_view(*bytes).substr(kSivBytes), nonce_of(siv), enc_);
  const std::string expected = crypto::blake2b(id, mac_, 16).substr(0, kSivBytes);
  if (!crypto::constant_time_equal(siv, expected))
    return make_error(ErrorCode::invalid_argument,
                      "the pseudonym was not made with this key (or is damaged)");
  return id;
}

Result<std::string> reidentify(std::string_view pseudonym, std::string_view institution_secret,
                               std::string_view project) {
  MEDAI_ASSIGN_OR_RETURN(DeidKeys keys, DeidKeys::from_secret(institution_secret, project));
  return Pseudonymizer(keys).reidentify(pseudonym);
}

}  // namespace medai::deid

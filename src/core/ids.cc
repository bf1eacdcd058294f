#include "core/ids.h"

#include "core/crypto.h"

namespace medai {

std::string new_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  const std::string raw = crypto::random_bytes(15);  // 120 bits → 24 base32 chars
  std::string out(prefix);
  out.push_back('_');
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return out;
}

}  // namespace medai

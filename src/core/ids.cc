#include "core/ids.h"

#include <algorithm>

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

namespace {

std::string to_decimal(unsigned __int128 value) {
  if (value == 0) return "0";
  std::string digits;
  while (value != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  return std::string(digits.rbegin(), digits.rend());
}

}  // namespace

std::string uid_from_hash_bytes(std::string_view sixteen_bytes, std::string_view root) {
  std::string bytes(sixteen_bytes.substr(0, 16));
  bytes.resize(16, '\0');
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0F) | 0x80);  // version 8
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3F) | 0x80);  // variant 10
  unsigned __int128 value = 0;
  for (unsigned char b : bytes) value = (value << 8) | b;
  const std::string prefix = root.empty() ? std::string("2.25") : std::string(root);
  if (prefix == "2.25") return prefix + "." + to_decimal(value);
  const std::size_t room = prefix.size() + 1 < 64 ? 63 - prefix.size() : 1;
  unsigned __int128 modulus = 1;
  for (std::size_t i = 0; i < std::min<std::size_t>(room, 38); ++i) modulus *= 10;
  return prefix + "." + to_decimal(value % modulus);
}

}  // namespace medai

#include "annotations/provenance.h"

#include <algorithm>
#include <cstdint>

#include "core/crypto.h"

namespace medai::annotations {
namespace {

std::string to_decimal(unsigned __int128 value) {
  if (value == 0) return "0";
  std::string digits;
  while (value != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

void append_field(std::string& out, std::string_view field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out.append(field);
}

unsigned __int128 as_uuid_v8(std::string bytes) {
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0F) | 0x80);  // version 8
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3F) | 0x80);  // variant 10
  unsigned __int128 value = 0;
  for (unsigned char b : bytes) value = (value << 8) | b;
  return value;
}

}  // namespace

std::string UidDeriver::derive(std::string_view job_id, std::string_view input_digest,
                               std::string_view kind) const {
  std::string message;
  append_field(message, job_id);
  append_field(message, input_digest);
  append_field(message, kind);
  // BLAKE2b keys are 16..64 bytes: any seed is first hashed to 32 bytes.
  const std::string key = crypto::blake2b(uid_key, "", 32);
  const unsigned __int128 value = as_uuid_v8(crypto::blake2b(message, key, 16));
  const std::string root = uid_root.empty() ? "2.25" : uid_root;
  if (root == "2.25") return root + "." + to_decimal(value);
  const std::size_t room = root.size() + 1 < 64 ? 63 - root.size() : 1;
  unsigned __int128 modulus = 1;
  for (std::size_t i = 0; i < std::min<std::size_t>(room, 38); ++i) modulus *= 10;
  return root + "." + to_decimal(value % modulus);
}

OutputSeries UidDeriver::output_series(std::string_view job_id, std::string_view input_digest,
                                       std::string_view kind) const {
  OutputSeries out;
  out.series_instance_uid = derive(job_id, input_digest, std::string(kind) + "/series");
  out.sop_instance_uid = derive(job_id, input_digest, kind);
  return out;
}

std::string uid_from_label(std::string_view label) {
  return "2.25." + to_decimal(as_uuid_v8(crypto::blake2b(label, "", 16)));
}

std::string research_prefixed(const Producer& producer, const std::string& text) {
  std::string s = producer.research_use_only ? "RESEARCH USE ONLY - " + text : text;
  if (s.size() > 64) s.resize(64);
  return s;
}

}  // namespace medai::annotations

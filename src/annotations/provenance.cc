#include "annotations/provenance.h"

#include <algorithm>
#include <cstdint>

#include "core/crypto.h"
#include "core/ids.h"

namespace medai::annotations {
namespace {

void append_field(std::string& out, std::string_view field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out.append(field);
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
  return uid_from_hash_bytes(crypto::blake2b(message, key, 16), uid_root);
}

OutputSeries UidDeriver::output_series(std::string_view job_id, std::string_view input_digest,
                                       std::string_view kind) const {
  OutputSeries out;
  out.series_instance_uid = derive(job_id, input_digest, std::string(kind) + "/series");
  out.sop_instance_uid = derive(job_id, input_digest, kind);
  return out;
}

std::string uid_from_label(std::string_view label) {
  return uid_from_hash_bytes(crypto::blake2b(label, "", 16));
}

std::string research_prefixed(const Producer& producer, const std::string& text) {
  std::string s = producer.research_use_only ? "RESEARCH USE ONLY - " + text : text;
  if (s.size() > 64) s.resize(64);
  return s;
}

std::string usage_notice(const Producer& producer) {
  if (!producer.research_use_only && !producer.synthetic_training_data) return {};
  std::string s = producer.research_use_only ? "Research use only" : "";
  if (producer.synthetic_training_data) s += s.empty() ? "Trained on synthetic data" : " - trained on synthetic data";
  if (producer.research_use_only) s += " - not for diagnostic use";
  s += ". " + producer.app_name + " " + producer.app_version;
  if (!producer.package_digest.empty()) s += " (package " + producer.package_digest + ")";
  return s;
}

}  // namespace medai::annotations

#pragma once
// Who produced a result object and how its UIDs are derived.
//
// UID rule (documented in docs/result-objects.md): a result object's UID is
//   uid_root "." decimal(BLAKE2b-128 keyed with `uid_key` over
//                        len-prefixed(job_id) len-prefixed(input_digest) len-prefixed(kind))
// With the default root "2.25" the 128 bits are stamped as an RFC 9562
// version-8 UUID (same form as the de-identifier's UID remapper), so the UID
// is a valid UUID-derived UID of at most 44 characters. With another root the
// decimal is reduced modulo 10^(63 - root length) so the UID fits 64 chars.
// Re-running a job (same job id, same input digest, same key) gives the same
// UIDs; any other job, input or object kind gives different ones.
#include <string>
#include <string_view>

namespace medai::annotations {

struct Producer {
  std::string manufacturer = "medai";  // vendor handle of the app, or medai
  std::string app_name;                // Manufacturer Model Name, algorithm name
  std::string app_version;             // Software Versions (with medai's own version)
  std::string package_digest;          // "sha256:<hex>" of manifest.json; empty for platform tools
  std::string input_digest;            // digest of the input series, recorded on the object
  std::string job_id;
  bool research_use_only = false;    // "RESEARCH USE ONLY" in descriptions and SR text
  bool synthetic_training_data = false;  // "trained on synthetic data" next to it (manifest flag)
  std::string institution_name;      // optional General Equipment Institution Name
  std::string device_serial_number;  // optional
};

// Identity of one output object and its (new) series.
struct OutputSeries {
  std::string series_instance_uid, sop_instance_uid;
  int series_number = 900;
  std::string series_description;  // "RESEARCH USE ONLY - " is prefixed when the producer says so
  // DA / TM stamped as content, series and instance creation date/time. Pass
  // the job's creation time so a re-run writes identical bytes.
  std::string content_date, content_time;
};

struct UidDeriver {
  std::string uid_root = "2.25";
  std::string uid_key;  // secret seed of the installation (any length)

  std::string derive(std::string_view job_id, std::string_view input_digest, std::string_view kind) const;
  // Series + instance UIDs of the output `kind` ("seg", "rtstruct", "sr", ...).
  OutputSeries output_series(std::string_view job_id, std::string_view input_digest,
                             std::string_view kind) const;
};

// Unkeyed 2.25 UID from a label, for UIDs that only need to be fixed by an
// already unique object UID (dimension organisation, tracking UIDs).
std::string uid_from_label(std::string_view label);

// "RESEARCH USE ONLY - " + text when research_use_only, else text; cut to 64 chars (LO).
std::string research_prefixed(const Producer& producer, const std::string& text);

// The sentence every output carries: "Research use only - trained on
// synthetic data - not for diagnostic use. <app> <version> (package <digest>)"
// (parts present per the producer's flags); empty for a clinical producer.
std::string usage_notice(const Producer& producer);

}  // namespace medai::annotations

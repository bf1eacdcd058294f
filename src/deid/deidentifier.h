#pragma once
// Applies the PS3.15 Annex E Basic Application Level Confidentiality Profile
// (profile_table.h) with the chosen options to a DCMTK dataset, recursively
// through every sequence. Immutable after creation: one Deidentifier can
// serve many threads.
//
// Contract: on success the dataset holds no value the profile says to remove
// or replace (outside pixel data — burned-in text is only flagged); on error
// the dataset may be half-processed and must be discarded (deidentify_file
// never leaves a partial output file).
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "deid/deid_options.h"

class DcmItem;
class DcmFileFormat;

namespace medai::deid {

enum class BurnedIn { no, yes, unknown, not_applicable };
std::string_view burned_in_name(BurnedIn value);

struct DeidWarning {
  std::string code;     // stable: "burned_in_annotation", "burned_in_annotation_unknown", ...
  std::string message;  // never contains patient data
};

// What was done to one dataset. Holds no patient data: counts, flags and the
// patient's pseudonym (which is what the output carries anyway).
struct DeidReport {
  std::map<std::string, int> actions;  // "removed", "emptied", "dummy", "cleaned", "kept_by_option",
                                       // "date_shifted", "uid_replaced", "private_removed", ...
  BurnedIn burned_in = BurnedIn::not_applicable;
  std::vector<DeidWarning> warnings;
  std::string patient_pseudonym;
  std::string longitudinal;          // MODIFIED / UNMODIFIED / REMOVED
  std::vector<std::string> methods;  // CID 7050 code meanings applied
  std::string sop_instance_uid;      // the new one (empty when the dataset has none)
  std::string output_file;           // set by apply_file
  nlohmann::json to_json() const;
  bool has_warning(std::string_view code) const;
};

class Deidentifier {
 public:
  // `institution_secret`: 64 hex characters (secret.key) or >= 32 raw bytes.
  static Result<Deidentifier> create(std::string_view institution_secret, DeidOptions options = {});
  ~Deidentifier();
  Deidentifier(Deidentifier&&) noexcept;
  Deidentifier& operator=(Deidentifier&&) noexcept;

  // De-identifies the main dataset (not a file meta header).
  Result<DeidReport> apply(DcmItem& dataset) const;
  // Dataset plus file meta information (Media Storage SOP Instance UID, AE titles).
  Result<DeidReport> apply(DcmFileFormat& file) const;
  // Reads `in`, de-identifies, writes `out` atomically (temp file + rename,
  // same transfer syntax). When `out` is an existing directory the file is
  // named <new SOP Instance UID>.dcm inside it (input names may carry PHI). invalid_dicom for unreadable
  // input, unsupported_sop_class for DICOMDIR (offsets would break: de-identify the referenced files and
  // rebuild the index), io_error for write failures.
  Result<DeidReport> apply_file(const std::filesystem::path& in, const std::filesystem::path& out) const;

  const DeidOptions& options() const;
  // The pseudonym the Patient ID `id` gets (for callers building indexes).
  std::string pseudonym_for(std::string_view patient_id) const;

 private:
  struct Impl;
  explicit Deidentifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medai::deid

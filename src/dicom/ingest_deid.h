#pragma once
// De-identification at ingest for research-only institutions
// (dicom.deidentify_institutions): an instance sent for such an institution
// is de-identified before anything is stored, so the original identifiers
// never reach the blob store, the index or a log. The project key is the
// institution, so the same patient / study / series UID sent twice (or in
// two associations) maps to the same pseudonym and new UIDs, and studies
// stay whole.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::dicom {

class IngestDeidentifier {
 public:
  // `institution_ids`: institutions whose data is de-identified on arrival.
  IngestDeidentifier(std::string secret, std::set<std::string> institution_ids);
  ~IngestDeidentifier();

  bool applies_to(const std::string& institution_id) const { return institutions_.count(institution_id) > 0; }
  // The de-identified Part 10 bytes (same transfer syntax), or the parse /
  // de-identification error for this instance.
  Result<std::string> apply(std::string_view part10, const std::string& institution_id) const;

 private:
  struct Impl;
  std::string secret_;
  std::set<std::string> institutions_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medai::dicom

#include "dicom/ingest_deid.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <map>
#include <mutex>

#include "deid/deidentifier.h"
#include "dicom/parse.h"
#include "dicom/pixels.h"

namespace medai::dicom {

// One Deidentifier per institution (its project), made on first use.
struct IngestDeidentifier::Impl {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const deid::Deidentifier>> by_institution;
};

IngestDeidentifier::IngestDeidentifier(std::string secret, std::set<std::string> institution_ids)
    : secret_(std::move(secret)), institutions_(std::move(institution_ids)), impl_(std::make_unique<Impl>()) {}

IngestDeidentifier::~IngestDeidentifier() = default;

Result<std::string> IngestDeidentifier::apply(std::string_view part10, const std::string& institution_id) const {
  std::shared_ptr<const deid::Deidentifier> deidentifier;
  {
    std::lock_guard lock(impl_->mutex);
    auto& slot = impl_->by_institution[institution_id];
    if (!slot) {
      deid::DeidOptions options;
      options.retain_modified_dates = true;
      options.retain_patient_characteristics = true;
      options.project = "ingest:" + institution_id;
      MEDAI_ASSIGN_OR_RETURN(auto made, deid::Deidentifier::create(secret_, options));
      slot = std::make_shared<const deid::Deidentifier>(std::move(made));
    }
    deidentifier = slot;
  }
  MEDAI_ASSIGN_OR_RETURN(ParsedInstance parsed, parse_dicom(part10));
  MEDAI_RETURN_IF_ERROR(deidentifier->apply(parsed.file()).status());
  E_TransferSyntax xfer = parsed.dataset().getOriginalXfer();
  if (xfer == EXS_Unknown) xfer = EXS_LittleEndianExplicit;
  return write_part10(parsed.file(), xfer);
}

}  // namespace medai::dicom

#include "deid/deidentifier.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "core/crypto.h"
#include "deid/burned_in.h"
#include "deid/dataset_walker.h"
#include "deid/date_shift.h"
#include "deid/keys.h"
#include "deid/pseudonyms.h"
#include "deid/text_cleaner.h"
#include "deid/uid_remapper.h"
namespace medai::deid {

struct Deidentifier::Impl {
  DeidOptions options;
  DeidKeys keys;
  UidRemapper uids;
  DateShifter dates;
  Pseudonymizer pseudonyms;

  Impl(DeidOptions o, DeidKeys k)
      : options(std::move(o)),
        keys(std::move(k)),
        uids(keys.uid_key()),
        dates(keys.date_key()),
        pseudonyms(keys) {}
};

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

void add_code(DcmItem& dataset, const char* value, const char* meaning) {
  DcmItem* code = nullptr;
  if (dataset.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, code, -2).good() && code) {
    code->putAndInsertString(DCM_CodeValue, value);
    code->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
    code->putAndInsertString(DCM_CodeMeaning, meaning);
  }
}

}  // namespace

std::string_view burned_in_name(BurnedIn value) {
  switch (value) {
    case BurnedIn::no:
      return "no";
    case BurnedIn::yes:
      return "yes";
    case BurnedIn::unknown:
      return "unknown";
    case BurnedIn::not_applicable:
      return "not_applicable";
  }
  return "unknown";
}

nlohmann::json DeidReport::to_json() const {
  nlohmann::json w = nlohmann::json::array();
  for (const auto& warning : warnings) w.push_back({{"code", warning.code}, {"message", warning.message}});
  return {{"actions", actions},
          {"burned_in_annotation", burned_in_name(burned_in)},
          {"warnings", w},
          {"patient_pseudonym", patient_pseudonym},
          {"longitudinal_temporal_information", longitudinal},
          {"methods", methods},
          {"sop_instance_uid", sop_instance_uid}};
}

bool DeidReport::has_warning(std::string_view code) const {
  for (const auto& w : warnings)
    if (w.code == code) return true;
  return false;
}

Deidentifier::Deidentifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Deidentifier::~Deidentifier() = default;
Deidentifier::Deidentifier(Deidentifier&&) noexcept = default;
Deidentifier& Deidentifier::operator=(Deidentifier&&) noexcept = default;

Result<Deidentifier> Deidentifier::create(std::string_view institution_secret, DeidOptions options) {
  if (options.retain_full_dates && options.retain_modified_dates)
    return make_error(ErrorCode::invalid_argument,
                      "retain full dates and retain modified dates are mutually exclusive options");
  if (!dcmDataDict.isDictionaryLoaded())
    return make_error(ErrorCode::internal, "the DICOM data dictionary is not loaded (check DCMDICTPATH)");
  MEDAI_ASSIGN_OR_RETURN(DeidKeys keys, DeidKeys::from_secret(institution_secret, options.project));
  return Deidentifier(std::make_unique<Impl>(std::move(options), std::move(keys)));
}

const DeidOptions& Deidentifier::options() const { return impl_->options; }

std::string Deidentifier::pseudonym_for(std::string_view patient_id) const {
  return impl_->pseudonyms.pseudonymize(patient_id);
}

Result<DeidReport> Deidentifier::apply(DcmItem& dataset) const {
  const DeidOptions& o = impl_->options;
  DeidReport report;
  check_burned_in(dataset, report);

  OFString patient_id;
  dataset.findAndGetOFStringArray(DCM_PatientID, patient_id);
  const std::string original_id = trim(patient_id.c_str());
  const int offset = impl_->dates.offset_days(original_id);
  report.patient_pseudonym = impl_->pseudonyms.pseudonymize(original_id);

  TextCleaner cleaner;
  if (o.clean_descriptors || o.retain_patient_characteristics) collect_identifiers(dataset, o, cleaner);

  deidentify_item(dataset, o, impl_->uids, offset, cleaner, report);

  // Patient ID and Name (Z in the profile) carry the pseudonym instead of
  // nothing, so a patient's studies stay linked and the institution can map back.
  if (dataset.tagExists(DCM_PatientID) || !original_id.empty()) {
    dataset.putAndInsertString(DCM_PatientID, report.patient_pseudonym.c_str());
    dataset.putAndInsertString(DCM_PatientName, report.patient_pseudonym.c_str());
    if (!report.patient_pseudonym.empty()) ++report.actions["pseudonymized"];
  }

  report.methods.push_back("Basic Application Confidentiality Profile");
  if (o.clean_descriptors) report.methods.push_back("Clean Descriptors Option");
  if (o.retain_full_dates)
    report.methods.push_back("Retain Longitudinal Temporal Information Full Dates Option");
  if (o.retain_modified_dates)
    report.methods.push_back("Retain Longitudinal Temporal Information Modified Dates Option");
  if (o.retain_patient_characteristics) report.methods.push_back("Retain Patient Characteristics Option");
  if (o.retain_device_identity) report.methods.push_back("Retain Device Identity Option");
  if (o.retain_uids) report.methods.push_back("Retain UIDs Option");
  if (o.retain_safe_private) report.methods.push_back("Retain Safe Private Option");
  if (o.retain_institution_identity) report.methods.push_back("Retain Institution Identity Option");
  report.longitudinal = o.retain_modified_dates ? "MODIFIED" : o.retain_full_dates ? "UNMODIFIED" : "REMOVED";

  dataset.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
  std::string method = "medai " MEDAI_VERSION " PS3.15 E.1 Basic Profile";
  dataset.putAndInsertString(DCM_DeidentificationMethod, method.c_str());
  delete dataset.remove(DCM_DeidentificationMethodCodeSequence);
  static const std::pair<const char*, const char*> kCodes[] = {
      {"113100", "Basic Application Confidentiality Profile"},
      {"113105", "Clean Descriptors Option"},
      {"113106", "Retain Longitudinal Temporal Information Full Dates Option"},
      {"113107", "Retain Longitudinal Temporal Information Modified Dates Option"},
      {"113108", "Retain Patient Characteristics Option"},
      {"113109", "Retain Device Identity Option"},
      {"113110", "Retain UIDs Option"},
      {"113111", "Retain Safe Private Option"},
      {"113112", "Retain Institution Identity Option"},
  };
  for (const auto& [value, meaning] : kCodes)
    for (const auto& m : report.methods)
      if (m == meaning) add_code(dataset, value, meaning);
  dataset.putAndInsertString(DCM_LongitudinalTemporalInformationModified, report.longitudinal.c_str());
  OFString sop_instance;
  if (dataset.findAndGetOFString(DCM_SOPInstanceUID, sop_instance).good())
    report.sop_instance_uid = sop_instance.c_str();
  return report;
}

Result<DeidReport> Deidentifier::apply(DcmFileFormat& file) const {
  DcmMetaInfo* meta = file.getMetaInfo();
  OFString meta_class;
  if (meta != nullptr) meta->findAndGetOFString(DCM_MediaStorageSOPClassUID, meta_class);
  if (meta_class == UID_MediaStorageDirectoryStorage ||
      file.getDataset()->tagExists(DCM_DirectoryRecordSequence))
    return make_error(
        ErrorCode::unsupported_sop_class,
        "DICOMDIR files are media indexes with byte offsets: de-identify the referenced files and "
        "build a new DICOMDIR");
  MEDAI_ASSIGN_OR_RETURN(DeidReport report, apply(*file.getDataset()));
  if (meta != nullptr) {
    for (const DcmTagKey& key : {DCM_SourceApplicationEntityTitle, DCM_SendingApplicationEntityTitle,
                                 DCM_ReceivingApplicationEntityTitle, DCM_PrivateInformationCreatorUID,
                                 DCM_PrivateInformation, DCM_SourcePresentationAddress})
      delete meta->remove(key);
    // The meta header must name the new SOP Instance UID.
    OFString sop_instance;
    if (file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sop_instance).good())
      meta->putAndInsertString(DCM_MediaStorageSOPInstanceUID, sop_instance.c_str());
    else
      delete meta->remove(DCM_MediaStorageSOPInstanceUID);
  }
  return report;
}

Result<DeidReport> Deidentifier::apply_file(const std::filesystem::path& in,
                                            const std::filesystem::path& out) const {
  DcmFileFormat file;
  OFCondition status =
      file.loadFile(in.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad())
    return make_error(ErrorCode::invalid_dicom, std::string("not a readable DICOM file: ") + status.text());
  DcmDataset* dataset = file.getDataset();
  if (dataset == nullptr || dataset->card() == 0)
    return make_error(ErrorCode::invalid_dicom, "not a readable DICOM file: no data elements");
  OFString meta_class, sop_class;
  if (file.getMetaInfo()) file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, meta_class);
  dataset->findAndGetOFString(DCM_SOPClassUID, sop_class);
  if (meta_class.empty() && sop_class.empty())
    return make_error(ErrorCode::invalid_dicom,
                      "not a DICOM object: no SOP Class UID in the meta header or dataset");
  status = file.loadAllDataIntoMemory();
  if (status.bad())
    return make_error(ErrorCode::invalid_dicom,
                      std::string("cannot read the whole DICOM file: ") + status.text());

  MEDAI_ASSIGN_OR_RETURN(DeidReport report, apply(file));

  std::error_code ec;
  std::filesystem::path target = out;
  if (std::filesystem::is_directory(out, ec)) {
    const std::string name = report.sop_instance_uid.empty()
                                 ? "instance-" + crypto::to_hex(crypto::random_bytes(8))
                                 : report.sop_instance_uid;
    target = out / (name + ".dcm");
  }
  // Write beside the target and rename, so a failure never leaves a partial file.
  std::filesystem::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + crypto::random_token(6);
  E_TransferSyntax xfer = dataset->getOriginalXfer();
  if (xfer == EXS_Unknown) xfer = EXS_LittleEndianExplicit;
  status =
      file.saveFile(tmp.c_str(), xfer, EET_UndefinedLength, EGL_recalcGL, EPD_noChange, 0, 0, EWM_updateMeta);
  if (status.bad()) {
    std::filesystem::remove(tmp, ec);
    return make_error(ErrorCode::io_error,
                      std::string("cannot write the de-identified file: ") + status.text());
  }
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return make_error(ErrorCode::io_error, "cannot move the de-identified file into place");
  }
  report.output_file = target.string();
  return report;
}

}  // namespace medai::deid

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
#include "deid/date_shift.h"
#include "deid/keys.h"
#include "deid/private_tags.h"
#include "deid/profile_table.h"
#include "deid/pseudonyms.h"
#include "deid/text_cleaner.h"
#include "deid/uid_remapper.h"

namespace medai::deid {
namespace {

// What happens to one element once options are taken into account.
enum class Effective { remove, empty, dummy, keep, keep_by_option, clean, remap, keep_remap_inside };

Effective resolve(const ProfileRow& row, const DeidOptions& o) {
  // Option columns first; when several options apply, keeping wins over
  // cleaning, cleaning over removing (the least destructive the user chose).
  bool keep = false, clean = false, remove = false;
  const auto f = row.options;
  if (o.retain_uids && (f & kRetainUidsK)) keep = true;
  if (o.retain_uids && (f & kRetainUidsX)) remove = true;
  if (o.retain_device_identity && (f & kRetainDeviceK)) keep = true;
  if (o.retain_institution_identity && (f & kRetainInstitutionK)) keep = true;
  if (o.retain_patient_characteristics && (f & kRetainPatientCharsK)) keep = true;
  if (o.retain_patient_characteristics && (f & kRetainPatientCharsC)) clean = true;
  if (o.retain_full_dates && (f & kRetainDates)) keep = true;
  if (o.retain_modified_dates && (f & kRetainDates)) clean = true;
  if (o.clean_descriptors && (f & kCleanDescriptorsC)) clean = true;
  if (keep) return Effective::keep_by_option;
  if (clean) return Effective::clean;
  if (remove) return Effective::remove;
  switch (row.basic) {
    case BasicAction::D:
      return Effective::dummy;
    case BasicAction::Z:
      return Effective::empty;
    case BasicAction::X:
      return Effective::remove;
    case BasicAction::K:
      return Effective::keep;
    case BasicAction::C:
      return Effective::clean;
    case BasicAction::U:
      return Effective::remap;
    // Combined codes depend on the attribute's type in each IOD, which this
    // table does not carry. We take the choice that is valid for every type:
    // X/Z -> Z (an empty value is valid for Type 2 and 3), anything with D -> D
    // (a dummy value is valid for Type 1, 2 and 3).
    case BasicAction::XZ:
      return Effective::empty;
    case BasicAction::ZD:
    case BasicAction::XD:
    case BasicAction::XZD:
      return Effective::dummy;
    case BasicAction::XZUStar:
      return Effective::keep_remap_inside;
  }
  return Effective::remove;
}

bool is_date_vr(DcmEVR vr) { return vr == EVR_DA || vr == EVR_DT || vr == EVR_TM; }
bool is_free_text_vr(DcmEVR vr) { return vr == EVR_UT || vr == EVR_LT || vr == EVR_ST; }
bool is_string_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_AE:
    case EVR_AS:
    case EVR_CS:
    case EVR_DA:
    case EVR_DS:
    case EVR_DT:
    case EVR_IS:
    case EVR_LO:
    case EVR_LT:
    case EVR_PN:
    case EVR_SH:
    case EVR_ST:
    case EVR_TM:
    case EVR_UC:
    case EVR_UI:
    case EVR_UR:
    case EVR_UT:
      return true;
    default:
      return false;
  }
}

// A "dummy value consistent with the VR" (action D).
const char* dummy_for(DcmEVR vr) {
  switch (vr) {
    case EVR_AE:
      return "ANONYMOUS";
    case EVR_AS:
      return "000Y";
    case EVR_DA:
      return "19000101";
    case EVR_DT:
      return "19000101000000";
    case EVR_TM:
      return "000000";
    case EVR_DS:
    case EVR_IS:
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
    case EVR_FL:
    case EVR_FD:
      return "0";
    case EVR_CS:
    case EVR_LO:
    case EVR_LT:
    case EVR_PN:
    case EVR_SH:
    case EVR_ST:
    case EVR_UC:
    case EVR_UT:
      return "ANONYMIZED";
    default:
      return nullptr;  // binary or URL: emptied instead
  }
}

std::string value_of(DcmElement& el) {
  OFString v;
  if (el.getOFStringArray(v).bad()) return {};
  return std::string(v.c_str(), v.length());
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

const DcmTagKey kEncryptedAttributesSequence(0x0400, 0x0500);

// Modalities whose images often carry text burned into the pixels.
bool burned_in_prone_modality(std::string_view m) {
  static constexpr std::string_view kList[] = {"US", "IVUS", "SC", "XA", "RF", "ES", "XC", "GM",
                                               "OT", "SM",   "OP", "PX", "CR", "DX", "IO", "DOC"};
  for (auto x : kList)
    if (m == x) return true;
  return false;
}

}  // namespace

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

// One pass over one dataset: per-dataset state lives here, not in Impl.
class Walker {
 public:
  Walker(const DeidOptions& o, const UidRemapper& uids, DeidReport& report, int offset_days,
         const TextCleaner& cleaner)
      : o_(o), uids_(uids), report_(report), offset_(offset_days), cleaner_(cleaner) {}

  void walk_item(DcmItem& item, bool dummy_scope) {
    // An overlay plane without its Overlay Data (60xx,3000), which the profile
    // removes, is invalid: the rest of such a group goes too.
    std::vector<std::uint16_t> overlay_groups;
    for (unsigned long i = 0; i < item.card(); ++i) {
      const DcmTagKey key = item.getElement(i)->getTag().getXTag();
      if ((key.getGroup() & 0xFF01) == 0x6000 && key.getElement() == 0x3000)
        overlay_groups.push_back(key.getGroup());
    }
    for (unsigned long i = item.card(); i-- > 0;) {
      DcmElement* el = item.getElement(i);
      if (el == nullptr) continue;
      process(item, el, dummy_scope);
    }
    if (!overlay_groups.empty() && find_profile_row(0x6000, 0x3000) &&
        resolve(*find_profile_row(0x6000, 0x3000), o_) == Effective::remove) {
      for (unsigned long i = item.card(); i-- > 0;) {
        DcmElement* el = item.getElement(i);
        const std::uint16_t g = el->getTag().getGTag();
        if (std::find(overlay_groups.begin(), overlay_groups.end(), g) != overlay_groups.end())
          remove(item, el);
      }
    }
    if (o_.retain_safe_private) drop_orphan_private_creators(item);
  }

  void count(const char* what) { ++report_.actions[what]; }

 private:
  void remove(DcmItem& item, DcmElement* el, const char* what = "removed") {
    delete item.remove(el);
    count(what);
  }

  void walk_sequence(DcmElement* el, bool dummy_scope) {
    auto* seq = dynamic_cast<DcmSequenceOfItems*>(el);
    if (seq == nullptr) return;
    for (unsigned long i = 0; i < seq->card(); ++i)
      if (DcmItem* child = seq->getItem(i)) walk_item(*child, dummy_scope);
  }

  void process(DcmItem& item, DcmElement* el, bool dummy_scope) {
    const DcmTagKey key = el->getTag().getXTag();
    const std::uint16_t g = key.getGroup(), e = key.getElement();
    const DcmEVR vr = el->ident();
    if (g & 1) return process_private(item, el, g, e);        // private group lengths included
    if (g == 0x0002 || g == 0x0000) return remove(item, el);  // meta/command groups inside a dataset
    if (e == 0x0000) return;                                  // group length: DCMTK recomputes it on write
    if (key == kEncryptedAttributesSequence) return remove(item, el);  // holds the original values, encrypted

    if (const ProfileRow* row = find_profile_row(g, e)) {
      Effective action = resolve(*row, o_);
      if (action == Effective::remove && remove_as_empty(g, e)) action = Effective::empty;
      apply(item, el, action, vr, dummy_scope);
      return;
    }
    // Not in Table E.1-1: safety nets for VRs that carry identity whatever the tag.
    if (vr == EVR_SQ) return walk_sequence(el, dummy_scope);
    if (vr == EVR_UI) {
      if (!o_.retain_uids && !is_class_uid_attribute(g, e)) remap(el);
      return;
    }
    if (vr == EVR_PN) {
      if (!el->isEmpty()) {
        el->clear();
        count("emptied");
      }
      return;
    }
    if (is_date_vr(vr)) {
      if (o_.retain_full_dates || el->isEmpty()) return;
      if (o_.retain_modified_dates) return shift(item, el, vr);
      return set_dummy(el, vr);
    }
    if (dummy_scope && is_free_text_vr(vr) && !el->isEmpty()) return set_dummy(el, vr);
  }

  void process_private(DcmItem& item, DcmElement* el, std::uint16_t g, std::uint16_t e) {
    if (o_.retain_safe_private && e >= 0x1000) {
      OFString creator;
      item.findAndGetOFString(DcmTagKey(g, static_cast<Uint16>(e >> 8)), creator);
      if (is_safe_private(builtin_safe_private_attributes(), creator.c_str(), g, e)) {
        count("private_kept_safe");
        if (el->ident() == EVR_SQ) walk_sequence(el, false);
        return;
      }
    }
    if (o_.retain_safe_private && e >= 0x0010 && e <= 0x00FF)
      return;  // creators: see drop_orphan_private_creators
    remove(item, el, "private_removed");
  }

  // With safe private attributes kept, a creator stays only while its block is used.
  void drop_orphan_private_creators(DcmItem& item) {
    for (unsigned long i = item.card(); i-- > 0;) {
      DcmElement* el = item.getElement(i);
      const DcmTagKey key = el->getTag().getXTag();
      const std::uint16_t g = key.getGroup(), e = key.getElement();
      if (!(g & 1) || e < 0x0010 || e > 0x00FF) continue;
      bool used = false;
      for (unsigned long j = 0; j < item.card() && !used; ++j) {
        const DcmTagKey other = item.getElement(j)->getTag().getXTag();
        used = other.getGroup() == g && (other.getElement() >> 8) == e;
      }
      if (!used) remove(item, el, "private_removed");
    }
  }

  void apply(DcmItem& item, DcmElement* el, Effective action, DcmEVR vr, bool dummy_scope) {
    switch (action) {
      case Effective::remove:
        return remove(item, el);
      case Effective::empty:
        if (vr == EVR_SQ) {
          if (auto* seq = dynamic_cast<DcmSequenceOfItems*>(el); seq && seq->card() > 0) {
            seq->clear();
            count("emptied");
          }
        } else if (!el->isEmpty()) {
          el->clear();
          count("emptied");
        }
        return;
      case Effective::dummy:
        if (vr == EVR_SQ) return walk_sequence(el, /*dummy_scope=*/true);
        if (vr == EVR_UI) return remap(el);
        return set_dummy(el, vr);
      case Effective::keep:
        if (vr == EVR_SQ) walk_sequence(el, dummy_scope);
        return;
      case Effective::keep_by_option:
        count("kept_by_option");
        if (vr == EVR_SQ) walk_sequence(el, dummy_scope);
        return;
      case Effective::clean:
        if (vr == EVR_SQ) return walk_sequence(el, dummy_scope);
        if (vr == EVR_DA || vr == EVR_DT) {
          if (o_.retain_modified_dates) return shift(item, el, vr);
          return set_dummy(el, vr);
        }
        if (vr == EVR_TM) return;  // whole-day shifts keep the time of day
        return clean_text(el);
      case Effective::remap:
        if (vr == EVR_UI) return remap(el);
        if (vr == EVR_SQ) return walk_sequence(el, dummy_scope);
        return remove(item, el);  // a UID we cannot read as UI (e.g. UN): remove rather than guess
      case Effective::keep_remap_inside:
        if (vr == EVR_SQ) return walk_sequence(el, dummy_scope);
        return remove(item, el);
    }
  }

  void set_dummy(DcmElement* el, DcmEVR vr) {
    if (const char* dummy = dummy_for(vr)) {
      el->putString(dummy);
    } else {
      el->clear();
    }
    count("dummy");
  }

  void remap(DcmElement* el) {
    if (o_.retain_uids) return;
    const std::string value = value_of(*el);
    if (value.empty()) return;
    std::string out;
    std::size_t start = 0;
    bool changed = false;
    for (;;) {
      const std::size_t pos = value.find('\\', start);
      std::string uid = trim(value.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
      if (!out.empty() || start > 0) out += '\\';
      if (!uid.empty() && !is_well_known_uid(uid)) {
        out += uids_.remap(uid);
        changed = true;
      } else {
        out += uid;
      }
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    if (changed) {
      el->putOFStringArray(OFString(out.c_str(), out.size()));
      count("uid_replaced");
    }
  }

  void shift(DcmItem& item, DcmElement* el, DcmEVR vr) {
    if (vr == EVR_TM || el->isEmpty()) return;
    const std::string value = value_of(*el);
    std::optional<std::string> shifted =
        vr == EVR_DA ? DateShifter::shift_da(value, offset_) : DateShifter::shift_dt(value, offset_);
    if (!shifted) return set_dummy(el, vr);  // unparseable dates cannot be shifted: never kept as they are
    el->putOFStringArray(OFString(shifted->c_str(), shifted->size()));
    count("date_shifted");
  }

  void clean_text(DcmElement* el) {
    if (el->isEmpty()) return;
    if (!is_string_vr(el->ident())) {
      el->clear();
      count("emptied");
      return;
    }
    const std::string value = value_of(*el);
    const std::string cleaned = cleaner_.clean(value);
    if (cleaned != value) el->putOFStringArray(OFString(cleaned.c_str(), cleaned.size()));
    count("cleaned");
  }

  const DeidOptions& o_;
  const UidRemapper& uids_;
  DeidReport& report_;
  int offset_;
  const TextCleaner& cleaner_;
};

// Identifying values of the dataset, for cleaning free text (text_cleaner.h).
void collect_identifiers(DcmItem& item, const DeidOptions& o, TextCleaner& cleaner) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* el = item.getElement(i);
    const DcmTagKey key = el->getTag().getXTag();
    const DcmEVR vr = el->ident();
    if (vr == EVR_SQ) {
      auto* seq = dynamic_cast<DcmSequenceOfItems*>(el);
      for (unsigned long j = 0; seq && j < seq->card(); ++j)
        collect_identifiers(*seq->getItem(j), o, cleaner);
      continue;
    }
    if (key.getGroup() & 1) continue;
    if (vr == EVR_PN) {
      cleaner.add_identifier(value_of(*el));
      continue;
    }
    const ProfileRow* row = find_profile_row(key.getGroup(), key.getElement());
    if (row == nullptr || !(vr == EVR_LO || vr == EVR_SH || vr == EVR_AE || vr == EVR_CS)) continue;
    const Effective action = resolve(*row, o);
    if (action == Effective::remove || action == Effective::empty || action == Effective::dummy)
      cleaner.add_identifier(value_of(*el));
  }
}

void add_code(DcmItem& dataset, const char* value, const char* meaning) {
  DcmItem* code = nullptr;
  if (dataset.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, code, -2).good() && code) {
    code->putAndInsertString(DCM_CodeValue, value);
    code->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
    code->putAndInsertString(DCM_CodeMeaning, meaning);
  }
}

void check_burned_in(DcmItem& dataset, DeidReport& report) {
  if (!dataset.tagExists(DCM_PixelData) && !dataset.tagExists(DCM_FloatPixelData) &&
      !dataset.tagExists(DCM_DoubleFloatPixelData)) {
    report.burned_in = BurnedIn::not_applicable;
    return;
  }
  OFString burned, modality, sop_class, visual;
  dataset.findAndGetOFString(DCM_BurnedInAnnotation, burned);
  dataset.findAndGetOFString(DCM_Modality, modality);
  dataset.findAndGetOFString(DCM_SOPClassUID, sop_class);
  dataset.findAndGetOFString(DCM_RecognizableVisualFeatures, visual);
  const std::string b = trim(burned.c_str());
  if (b == "YES") {
    report.burned_in = BurnedIn::yes;
    report.warnings.push_back(
        {"burned_in_annotation",
         "Burned In Annotation is YES: the pixels may show identifying text, which "
         "de-identification does not remove; review or mask the images before sharing"});
  } else if (b == "NO") {
    report.burned_in = BurnedIn::no;
  } else {
    const bool secondary_capture = std::string(sop_class.c_str()).rfind("1.2.840.10008.5.1.4.1.1.7", 0) == 0;
    if (secondary_capture || burned_in_prone_modality(trim(modality.c_str()))) {
      report.burned_in = BurnedIn::unknown;
      report.warnings.push_back(
          {"burned_in_annotation_unknown",
           "Burned In Annotation is missing for a kind of image (" + trim(modality.c_str()) +
               ") that often has text in its pixels; review the images before sharing"});
    } else {
      report.burned_in = BurnedIn::unknown;
    }
  }
  if (trim(visual.c_str()) == "YES")
    report.warnings.push_back(
        {"recognizable_visual_features",
         "Recognizable Visual Features is YES: the images may show the patient's face"});
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

  Walker walker(o, impl_->uids, report, offset, cleaner);
  walker.walk_item(dataset, false);

  // Patient ID and Name (Z in the profile) carry the pseudonym instead of
  // nothing, so a patient's studies stay linked and the institution can map back.
  if (dataset.tagExists(DCM_PatientID) || !original_id.empty()) {
    dataset.putAndInsertString(DCM_PatientID, report.patient_pseudonym.c_str());
    dataset.putAndInsertString(DCM_PatientName, report.patient_pseudonym.c_str());
    if (!report.patient_pseudonym.empty()) walker.count("pseudonymized");
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

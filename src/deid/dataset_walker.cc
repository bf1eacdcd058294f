#include "deid/dataset_walker.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "deid/date_shift.h"
#include "deid/private_tags.h"
#include "deid/profile_table.h"

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
// DCMTK's VR table: AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT.
bool is_string_vr(DcmEVR vr) { return DcmVR(vr).isaString(); }

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

}  // namespace

void deidentify_item(DcmItem& item, const DeidOptions& options, const UidRemapper& uids, int offset_days,
                     const TextCleaner& cleaner, DeidReport& report) {
  Walker(options, uids, report, offset_days, cleaner).walk_item(item, false);
}

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

}  // namespace medai::deid

#pragma once
// Test helpers: every value of a dataset (recursively), and the values the
// Basic Profile says must not survive.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <dcmtk/dcmdata/dcvr.h>

#include "deid/profile_table.h"
#include "deid/uid_remapper.h"

namespace medai::deid::testing {

inline bool string_like(DcmEVR vr) { return DcmVR(vr).isaString(); }

inline std::string trimmed(const OFString& v) {
  std::string s(v.c_str(), v.length());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

inline std::string value_string(DcmElement* el) {
  OFString v;
  el->getOFStringArray(v);
  return trimmed(v);
}

// Every string value anywhere in the item (sequences included).
inline void all_values(DcmItem& item, std::vector<std::string>& out) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* el = item.getElement(i);
    if (el->ident() == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(el);
      for (unsigned long j = 0; j < seq->card(); ++j) all_values(*seq->getItem(j), out);
    } else if (string_like(el->ident()) || (el->getGTag() & 1)) {
      out.push_back(value_string(el));
    }
  }
}

// Values the Basic Profile (no options) must remove or replace: attributes the
// table lists with an action other than K/C, every person name, every
// instance UID, every date, and every private value. Short or generic values
// (fewer than 4 characters, the dummies we write) are left out: they cannot
// identify anyone and would match by chance.
// `retained` receives the values of attributes the profile keeps (outside
// private groups); a value found there as well (e.g. "WHOLE BODY" as Series
// Description and Body Part Examined) is legitimately in the output.
// With `options_on` (Clean Descriptors + Retain Modified Dates), attributes
// those options keep count as retained: cleaned descriptors, and times of day
// and UTC offsets (whole-day shifts keep them). Dates themselves must change.
inline void sensitive_values(DcmItem& item, std::set<std::string>& out, std::vector<std::string>& retained,
                             bool options_on = false) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* el = item.getElement(i);
    const DcmEVR vr = el->ident();
    const Uint16 g = el->getGTag(), e = el->getETag();
    if (vr == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(el);
      for (unsigned long j = 0; j < seq->card(); ++j)
        sensitive_values(*seq->getItem(j), out, retained, options_on);
      continue;
    }
    if (g == 0x0002 || !string_like(vr)) {
      if (!((g & 1) && e >= 0x1000 && (vr == EVR_UN || vr == EVR_LO || vr == EVR_SH || vr == EVR_LT)))
        continue;
    }
    bool take = false;
    if (vr == EVR_DS || vr == EVR_IS) continue;  // numbers (weights, distances) identify no one
    if (g & 1) {
      take = e >= 0x1000 && string_like(vr);
    } else if (vr == EVR_PN || vr == EVR_DA || vr == EVR_DT) {
      take = true;
    } else if (vr == EVR_UI) {
      take = !is_class_uid_attribute(g, e);
    } else if (const ProfileRow* row = find_profile_row(g, e)) {
      take = row->basic != BasicAction::K && row->basic != BasicAction::C &&
             !(options_on && (row->options & kCleanDescriptorsC)) &&
             !(options_on && (row->options & kRetainDates) && vr != EVR_DA && vr != EVR_DT);
    }
    if (!take) {
      // Times outside the table are dummied unless dates are kept/shifted.
      if (!(g & 1) && string_like(vr) && (vr != EVR_TM || options_on)) retained.push_back(value_string(el));
      continue;
    }
    const std::string v = value_string(el);
    std::string parts = v;
    std::vector<std::string> pieces;
    std::size_t start = 0;
    for (std::size_t k = 0; k <= parts.size(); ++k)
      if (k == parts.size() || parts[k] == '\\') {
        pieces.push_back(parts.substr(start, k - start));
        start = k + 1;
      }
    for (std::string p : pieces) {
      while (!p.empty() && p.back() == ' ') p.pop_back();
      if (p.size() < 4) continue;
      if (p == "ANONYMIZED" || p == "ANONYMOUS" || p == "19000101" || p == "19000101000000") continue;
      if (vr == EVR_UI && is_well_known_uid(p)) continue;
      if (std::all_of(p.begin(), p.end(), [&](char c) { return c == p[0]; })) continue;  // "0000", "    "
      out.insert(p);
    }
  }
}

// Drops from `sensitive` what also occurs in a retained value.
inline int drop_retained(std::set<std::string>& sensitive, const std::vector<std::string>& retained,
                         std::set<std::string>* dropped_values = nullptr) {
  int dropped = 0;
  for (auto it = sensitive.begin(); it != sensitive.end();) {
    const bool kept_elsewhere = std::any_of(retained.begin(), retained.end(), [&](const std::string& r) {
      return r.find(*it) != std::string::npos;
    });
    if (kept_elsewhere) {
      if (dropped_values) dropped_values->insert(*it);
      it = sensitive.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace medai::deid::testing

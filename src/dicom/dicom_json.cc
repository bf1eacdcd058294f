#include "dicom/dicom_json.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "dicom/charset.h"

namespace medai::dicom {
namespace {

using nlohmann::json;

std::string base64(const std::uint8_t* data, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (std::size_t i = 0; i < n; i += 3) {
    const std::uint32_t b0 = data[i], b1 = i + 1 < n ? data[i + 1] : 0, b2 = i + 2 < n ? data[i + 2] : 0;
    const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < n ? kAlphabet[v & 63] : '=');
  }
  return out;
}

std::string_view trim_view(std::string_view s, bool leading) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  while (leading && !s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

bool is_text_single_valued(DcmEVR vr) { return vr == EVR_LT || vr == EVR_ST || vr == EVR_UT || vr == EVR_UR; }

bool is_binary(DcmEVR vr) {
  switch (vr) {
    case EVR_OB: case EVR_OW: case EVR_OF: case EVR_OD: case EVR_OL: case EVR_OV: case EVR_UN:
    case EVR_ox: case EVR_px: case EVR_lt: case EVR_pixelSQ:
      return true;
    default:
      return false;
  }
}

json number_from_text(std::string_view text, bool integer) {
  text = trim_view(text, true);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return nullptr;
  if (integer) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && p == text.data() + text.size()) return v;
    return nullptr;
  }
  double d = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec == std::errc() && p == text.data() + text.size() && std::isfinite(d)) return d;
  return nullptr;
}

json element_to_json(DcmElement& e, const JsonOptions& options, bool top_level);

json item_to_json(DcmItem& item, const JsonOptions& options, bool top_level) {
  json out = json::object();
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    if (e == nullptr) continue;
    const DcmTag& tag = e->getTag();
    if (tag.getElement() == 0x0000) continue;  // group length: retired in JSON
    const std::uint32_t key = (static_cast<std::uint32_t>(tag.getGroup()) << 16) | tag.getElement();
    out[tag_key(key)] = element_to_json(*e, options, top_level);
  }
  return out;
}

json element_to_json(DcmElement& e, const JsonOptions& options, bool top_level) {
  DcmEVR evr = e.ident();
  // Pixel data and other elements with a context-dependent VR report it via getVR().
  DcmVR vr(e.getVR());
  std::string vr_name = vr.getValidVRName();
  if (evr == EVR_pixelSQ || evr == EVR_px || evr == EVR_ox) vr_name = (evr == EVR_pixelSQ) ? "OB" : vr_name;
  json out = {{"vr", vr_name}};
  const DcmEVR kind = vr.getValidEVR();

  if (evr == EVR_SQ) {
    auto& seq = static_cast<DcmSequenceOfItems&>(e);
    json items = json::array();
    for (unsigned long i = 0; i < seq.card(); ++i) items.push_back(item_to_json(*seq.getItem(i), options, false));
    if (!items.empty()) out["Value"] = std::move(items);
    return out;
  }

  const Uint32 length = e.getLength();
  if (is_binary(evr) || is_binary(kind)) {
    if (length == 0) return out;
    const DcmTag& tag = e.getTag();
    const bool is_pixel_data = tag == DCM_PixelData || tag == DCM_FloatPixelData || tag == DCM_DoubleFloatPixelData;
    const bool encapsulated = evr == EVR_pixelSQ || (is_pixel_data && e.getLengthField() == DCM_UndefinedLength);
    if ((is_pixel_data || length > options.inline_binary_max || encapsulated) && top_level) {
      if (!options.bulk_data_base.empty()) {
        const std::uint32_t key = (static_cast<std::uint32_t>(tag.getGroup()) << 16) | tag.getElement();
        out["BulkDataURI"] = options.bulk_data_base + "/bulkdata/" + tag_key(key);
      }
      return out;
    }
    if (encapsulated || length > options.inline_binary_max * 64) return out;
    Uint8* bytes = nullptr;
    // getUint8Array returns the value in local byte order as stored in
    // memory, which on little-endian hosts is the byte stream DICOM JSON wants.
    if (e.getUint8Array(bytes).good() && bytes != nullptr) {
      out["InlineBinary"] = base64(bytes, length);
    } else {
      Uint16* words = nullptr;
      if (e.getUint16Array(words).good() && words != nullptr)
        out["InlineBinary"] = base64(reinterpret_cast<const std::uint8_t*>(words), length);
      else {
        Float32* floats = nullptr;
        if (e.getFloat32Array(floats).good() && floats != nullptr)
          out["InlineBinary"] = base64(reinterpret_cast<const std::uint8_t*>(floats), length);
        else {
          Float64* doubles = nullptr;
          if (e.getFloat64Array(doubles).good() && doubles != nullptr)
            out["InlineBinary"] = base64(reinterpret_cast<const std::uint8_t*>(doubles), length);
          else {
            Uint32* longs = nullptr;
            if (e.getUint32Array(longs).good() && longs != nullptr)
              out["InlineBinary"] = base64(reinterpret_cast<const std::uint8_t*>(longs), length);
          }
        }
      }
    }
    return out;
  }

  if (length == 0) return out;
  const unsigned long vm = e.getVM();
  json values = json::array();
  switch (kind) {
    case EVR_FL: case EVR_OF:
      for (unsigned long i = 0; i < vm; ++i) {
        Float32 v = 0;
        if (e.getFloat32(v, i).good() && std::isfinite(v)) values.push_back(static_cast<double>(v));
        else values.push_back(nullptr);
      }
      break;
    case EVR_FD: case EVR_OD:
      for (unsigned long i = 0; i < vm; ++i) {
        Float64 v = 0;
        if (e.getFloat64(v, i).good() && std::isfinite(v)) values.push_back(v);
        else values.push_back(nullptr);
      }
      break;
    case EVR_SL:
      for (unsigned long i = 0; i < vm; ++i) {
        Sint32 v = 0;
        if (e.getSint32(v, i).good()) values.push_back(v); else values.push_back(nullptr);
      }
      break;
    case EVR_SS:
      for (unsigned long i = 0; i < vm; ++i) {
        Sint16 v = 0;
        if (e.getSint16(v, i).good()) values.push_back(v); else values.push_back(nullptr);
      }
      break;
    case EVR_UL:
      for (unsigned long i = 0; i < vm; ++i) {
        Uint32 v = 0;
        if (e.getUint32(v, i).good()) values.push_back(v); else values.push_back(nullptr);
      }
      break;
    case EVR_US:
      for (unsigned long i = 0; i < vm; ++i) {
        Uint16 v = 0;
        if (e.getUint16(v, i).good()) values.push_back(v); else values.push_back(nullptr);
      }
      break;
    case EVR_SV: case EVR_UV:
      for (unsigned long i = 0; i < vm; ++i) {
        OFString s;
        if (e.getOFString(s, i).good()) values.push_back(number_from_text(s.c_str(), true));
        else values.push_back(nullptr);
      }
      break;
    case EVR_AT:
      for (unsigned long i = 0; i < vm; ++i) {
        OFString s;  // "(gggg,eeee)"
        std::string t;
        if (e.getOFString(s, i).good())
          for (char c : std::string(s.c_str()))
            if (std::isxdigit(static_cast<unsigned char>(c))) t.push_back(static_cast<char>(std::toupper(c)));
        if (t.size() == 8) values.push_back(t); else values.push_back(nullptr);
      }
      break;
    default: {
      OFString raw;
      if (e.getOFStringArray(raw).bad()) return out;
      const std::string text = sanitize_utf8(std::string_view(raw.c_str(), raw.length()));
      if (kind == EVR_PN) {
        for (auto part : split(text, '\\')) {
          part = trim_view(part, false);
          if (part.empty()) values.push_back(nullptr);
          else values.push_back(person_name_value(part));
        }
      } else if (kind == EVR_DS || kind == EVR_IS) {
        for (auto part : split(text, '\\')) values.push_back(number_from_text(part, kind == EVR_IS));
      } else if (is_text_single_valued(kind)) {
        values.push_back(std::string(trim_view(text, false)));
      } else {
        const bool keep_leading = kind == EVR_UC;
        for (auto part : split(text, '\\')) {
          part = trim_view(part, !keep_leading);
          if (part.empty()) values.push_back(nullptr);
          else values.push_back(std::string(part));
        }
      }
    }
  }
  bool all_null = true;
  for (const auto& v : values) all_null = all_null && v.is_null();
  if (!values.empty() && !all_null) out["Value"] = std::move(values);
  return out;
}

}  // namespace

json dataset_to_json(DcmItem& dataset, const JsonOptions& options) {
  // Best effort: when the declared character set cannot be converted, the
  // writer still produces valid UTF-8 (invalid bytes become U+FFFD).
  dataset.convertToUTF8();
  return item_to_json(dataset, options, true);
}

json instance_to_json(ParsedInstance& instance, const JsonOptions& options) {
  return dataset_to_json(instance.dataset(), options);
}

std::string tag_key(std::uint32_t tag) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", tag);
  return buf;
}

std::optional<std::uint32_t> parse_tag_key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : key) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

void put_string(json& object, std::uint32_t tag, const char* vr, std::string_view value) {
  json a = {{"vr", vr}};
  if (!value.empty()) a["Value"] = json::array({sanitize_utf8(value)});
  object[tag_key(tag)] = std::move(a);
}

void put_multi_string(json& object, std::uint32_t tag, const char* vr, std::string_view backslashed) {
  json a = {{"vr", vr}};
  if (!backslashed.empty()) {
    json values = json::array();
    for (auto part : split(backslashed, '\\'))
      if (!part.empty()) values.push_back(sanitize_utf8(part));
    if (!values.empty()) a["Value"] = std::move(values);
  }
  object[tag_key(tag)] = std::move(a);
}

json person_name_value(std::string_view value) {
  static constexpr const char* kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
  json pn = json::object();
  auto groups = split(value, '=');
  for (std::size_t g = 0; g < groups.size() && g < 3; ++g) {
    auto v = trim_view(groups[g], false);
    if (!v.empty()) pn[kGroups[g]] = sanitize_utf8(v);
  }
  return pn;
}

void put_person_name(json& object, std::uint32_t tag, std::string_view value) {
  json a = {{"vr", "PN"}};
  if (!value.empty()) a["Value"] = json::array({person_name_value(value)});
  object[tag_key(tag)] = std::move(a);
}

void put_integer(json& object, std::uint32_t tag, const char* vr, std::optional<std::int64_t> value) {
  json a = {{"vr", vr}};
  if (value) a["Value"] = json::array({*value});
  object[tag_key(tag)] = std::move(a);
}

}  // namespace medai::dicom

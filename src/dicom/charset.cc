#include "dicom/charset.h"

#include "dicom/iso2022.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcspchrs.h>

namespace medai::dicom {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

// Plain ASCII needs no conversion; ESC starts an ISO 2022 code extension
// (Japanese IR 87 text is 7-bit), so it does.
bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\x1B') return false;
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

struct TextDecoder::Impl {
  std::string declared;  // raw (0008,0005), backslash-separated
  bool declared_utf8 = false;
  bool undeclared = true;
  bool iso2022 = false;  // code extensions: decoded by iso2022.h
  DcmSpecificCharacterSet converter;
  bool converter_ok = false;
  DcmSpecificCharacterSet gb18030;
  bool gb18030_ok = false;
};

TextDecoder::TextDecoder(DcmItem& item) : impl_(std::make_unique<Impl>()) {
  OFString value;
  if (item.findAndGetOFStringArray(DCM_SpecificCharacterSet, value).good()) impl_->declared = value.c_str();
  std::string trimmed = impl_->declared;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\\')) trimmed.pop_back();
  impl_->undeclared = trimmed.empty() || trimmed == "ISO_IR 6";
  impl_->declared_utf8 = trimmed == "ISO_IR 192";
  impl_->iso2022 = impl_->declared.find("ISO 2022") != std::string::npos;
  if (!impl_->undeclared && !impl_->declared_utf8)
    impl_->converter_ok = impl_->converter.selectCharacterSet(impl_->declared.c_str()).good();
}

TextDecoder::~TextDecoder() = default;

std::string TextDecoder::to_utf8(std::string_view raw, bool person_name) const {
  if (is_ascii(raw)) return std::string(raw);
  if (impl_->declared_utf8) return sanitize_utf8(raw);
  const char* delimiters = person_name ? "\\^=" : "\\";
  if (impl_->iso2022) {
    std::string decoded;
    if (iso2022_to_utf8(impl_->declared, raw, person_name, decoded)) return sanitize_utf8(decoded);
  }
  OFString out;
  if (impl_->converter_ok &&
      impl_->converter.convertString(OFString(raw.data(), raw.size()), out, OFString(delimiters)).good())
    return sanitize_utf8(std::string_view(out.c_str(), out.length()));
  if (impl_->undeclared) {
    if (is_valid_utf8(raw)) return std::string(raw);
    if (!impl_->gb18030_ok) impl_->gb18030_ok = impl_->gb18030.selectCharacterSet("GB18030").good();
    if (impl_->gb18030_ok &&
        impl_->gb18030.convertString(OFString(raw.data(), raw.size()), out, OFString(delimiters)).good())
      return sanitize_utf8(std::string_view(out.c_str(), out.length()));
  }
  return latin1_to_utf8(raw);
}

}  // namespace medai::dicom

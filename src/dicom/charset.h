#pragma once
// Text from DICOM data sets as UTF-8, whatever the Specific Character Set
// (0008,0005) says: ISO_IR 192, GB18030, GBK, ISO 2022 IR 58/87/149/13,
// ISO_IR 100..166 (conversion by DCMTK over glibc iconv).
#include <memory>
#include <string>
#include <string_view>

class DcmItem;

namespace medai::dicom {

class TextDecoder {
 public:
  // Reads (0008,0005) of `item`.
  explicit TextDecoder(DcmItem& item);
  ~TextDecoder();
  TextDecoder(const TextDecoder&) = delete;
  TextDecoder& operator=(const TextDecoder&) = delete;

  // Converts a raw value to UTF-8. `person_name` selects the PN delimiters
  // ("^=\") at which ISO 2022 code extensions reset. Undeclared character
  // sets: valid UTF-8 is kept, otherwise GB18030 is tried (Chinese systems
  // often omit the declaration), otherwise Latin-1. The result is always
  // valid UTF-8 (undecodable bytes become U+FFFD).
  std::string to_utf8(std::string_view raw, bool person_name = false) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

bool is_valid_utf8(std::string_view s);
// Replaces invalid sequences with U+FFFD.
std::string sanitize_utf8(std::string_view s);

}  // namespace medai::dicom

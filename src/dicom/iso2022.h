#pragma once
// Decoder for DICOM values that use ISO 2022 code extensions (Specific
// Character Set values "ISO 2022 IR nnn"): Japanese IR 13/87/159, Korean
// IR 149, Chinese IR 58 and the ISO 8859 G1 sets. DCMTK over glibc iconv
// refuses IR 87/159 (glibc has no stateful DICOM variant), so we switch
// character sets at the escape sequences ourselves (PS3.5 6.1.2.5) and let
// iconv convert each run from its EUC / ISO 8859 form.
#include <string>
#include <string_view>

namespace medai::dicom {

// `declared` is the raw (0008,0005) value (backslash-separated); `person_name`
// resets the code elements at '^' and '=' too. Returns false when a run
// cannot be converted (the caller then falls back).
bool iso2022_to_utf8(std::string_view declared, std::string_view raw, bool person_name, std::string& out);

}  // namespace medai::dicom

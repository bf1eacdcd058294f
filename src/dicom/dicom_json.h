#pragma once
// The DICOM JSON model (PS3.18 Annex F.2): a whole data set for WADO-RS
// metadata, and the attribute writers QIDO-RS responses are built from.
// Output strings are always valid UTF-8.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dicom/parse.h"

class DcmItem;

namespace medai::dicom {

struct JsonOptions {
  // URI of the instance ("…/studies/S/series/E/instances/I"); binary values
  // longer than inline_binary_max get "BulkDataURI": base + "/bulkdata/GGGGEEEE".
  // Empty: such values are written without Value (the attribute is listed).
  std::string bulk_data_base;
  std::size_t inline_binary_max = 1024;
};

// Converts the data set's text to UTF-8 in place (Specific Character Set
// becomes ISO_IR 192), then writes it as a DICOM JSON object. Group length
// elements are left out.
nlohmann::json dataset_to_json(DcmItem& dataset, const JsonOptions& options = {});
// The data set of a parsed instance (for code that does not include DCMTK).
nlohmann::json instance_to_json(ParsedInstance& instance, const JsonOptions& options = {});

// "0020000D" for tag (0020,000D).
std::string tag_key(std::uint32_t tag);
// Parses "0020000D" (8 hex digits); nullopt otherwise.
std::optional<std::uint32_t> parse_tag_key(std::string_view key);

// Attribute writers for index rows. An empty value gives {"vr": vr} (the
// attribute is present with zero length, as QIDO requires for asked-for keys).
void put_string(nlohmann::json& object, std::uint32_t tag, const char* vr, std::string_view value);
// Multi-valued string ("CT\\SEG" → ["CT","SEG"]).
void put_multi_string(nlohmann::json& object, std::uint32_t tag, const char* vr, std::string_view backslashed);
// PN: "A^B=C^D=E" → [{"Alphabetic":"A^B","Ideographic":"C^D","Phonetic":"E"}].
void put_person_name(nlohmann::json& object, std::uint32_t tag, std::string_view value);
nlohmann::json person_name_value(std::string_view value);
void put_integer(nlohmann::json& object, std::uint32_t tag, const char* vr, std::optional<std::int64_t> value);

}  // namespace medai::dicom

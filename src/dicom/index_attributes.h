#pragma once
// The attributes of one instance that the index keeps for QIDO-RS matching
// and responses (PS3.18 Table 6.7.1-1 and the usual extras), as UTF-8.
#include <cstdint>
#include <optional>
#include <string>

#include "dicom/parse.h"

namespace medai::dicom {

struct IndexAttributes {
  // Patient (kept on the study row: QIDO studies carry patient attributes).
  std::string patient_id, patient_name, patient_birth_date, patient_sex;
  // Study.
  std::string study_date, study_time, accession_number, referring_physician_name, study_id,
      study_description;
  // Series.
  std::string modality, series_description, series_date, series_time, body_part_examined,
      pps_start_date, pps_start_time;
  std::optional<std::int64_t> series_number;
  // Instance.
  std::optional<std::int64_t> instance_number, rows, columns, number_of_frames, bits_allocated;
};

// Reads the attributes from a parsed instance, converting text to UTF-8 from
// its Specific Character Set. Missing or malformed optional values become
// empty / nullopt: only the keys in InstanceKeys are mandatory.
IndexAttributes extract_index_attributes(ParsedInstance& instance);

// Upper-cased name components separated and surrounded by single spaces
// ("Wang^XiaoDong=王^小東" → " WANG XIAODONG 王 小東 "): the fuzzy-matching form.
std::string normalize_person_name(std::string_view utf8_name);
// DA/TM values without separators ("2020.01.02" → "20200102", "10:11" → "1011").
std::string normalize_date(std::string_view value);
std::string normalize_time(std::string_view value);

}  // namespace medai::dicom

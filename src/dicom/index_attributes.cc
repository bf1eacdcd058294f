#include "dicom/index_attributes.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cctype>
#include <charconv>

#include "dicom/charset.h"

namespace medai::dicom {
namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\0')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\0')) --e;
  return std::string(s.substr(b, e - b));
}

std::string raw_string(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  if (item.findAndGetOFStringArray(tag, value).bad()) return {};
  return trim(std::string_view(value.c_str(), value.length()));
}

std::optional<std::int64_t> integer(DcmItem& item, const DcmTagKey& tag) {
  const std::string s = raw_string(item, tag);
  // IS may carry a sign and padding; US is rendered as decimal text.
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

}  // namespace

std::string normalize_date(std::string_view value) {
  std::string out;
  for (char c : value)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

std::string normalize_time(std::string_view value) {
  std::string out;
  for (char c : value)
    if ((c >= '0' && c <= '9') || c == '.') out.push_back(c);
  return out;
}

std::string normalize_person_name(std::string_view name) {
  std::string out = " ";
  for (char ch : name) {
    if (ch == '^' || ch == '=' || ch == ' ' || ch == '\\' || ch == ',') {
      if (out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    }
  }
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

IndexAttributes extract_index_attributes(ParsedInstance& instance) {
  DcmDataset& ds = instance.dataset();
  TextDecoder text(ds);
  auto str = [&](const DcmTagKey& tag) { return text.to_utf8(raw_string(ds, tag)); };
  // Trailing empty components and groups ("Doe^John^^=") carry nothing.
  auto name = [&](const DcmTagKey& tag) {
    std::string n = text.to_utf8(raw_string(ds, tag), true);
    while (!n.empty() && (n.back() == '^' || n.back() == '=' || n.back() == ' ')) n.pop_back();
    return n;
  };
  auto code = [&](const DcmTagKey& tag) { return sanitize_utf8(raw_string(ds, tag)); };

  IndexAttributes a;
  a.patient_id = str(DCM_PatientID);
  a.patient_name = name(DCM_PatientName);
  a.patient_birth_date = normalize_date(raw_string(ds, DCM_PatientBirthDate));
  a.patient_sex = code(DCM_PatientSex);
  a.study_date = normalize_date(raw_string(ds, DCM_StudyDate));
  a.study_time = normalize_time(raw_string(ds, DCM_StudyTime));
  a.accession_number = str(DCM_AccessionNumber);
  a.referring_physician_name = name(DCM_ReferringPhysicianName);
  a.study_id = str(DCM_StudyID);
  a.study_description = str(DCM_StudyDescription);
  a.modality = code(DCM_Modality);
  a.series_description = str(DCM_SeriesDescription);
  a.series_date = normalize_date(raw_string(ds, DCM_SeriesDate));
  a.series_time = normalize_time(raw_string(ds, DCM_SeriesTime));
  a.body_part_examined = code(DCM_BodyPartExamined);
  a.pps_start_date = normalize_date(raw_string(ds, DCM_PerformedProcedureStepStartDate));
  a.pps_start_time = normalize_time(raw_string(ds, DCM_PerformedProcedureStepStartTime));
  a.series_number = integer(ds, DCM_SeriesNumber);
  a.instance_number = integer(ds, DCM_InstanceNumber);
  a.rows = integer(ds, DCM_Rows);
  a.columns = integer(ds, DCM_Columns);
  a.number_of_frames = integer(ds, DCM_NumberOfFrames);
  if (!a.number_of_frames && a.rows) a.number_of_frames = 1;
  a.bits_allocated = integer(ds, DCM_BitsAllocated);
  return a;
}

}  // namespace medai::dicom

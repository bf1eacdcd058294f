#include "dimse/dimse_status.h"

#include <cstdio>

namespace medai::dimse {

std::uint16_t store_failure_status(const Status& error) {
  switch (error.code()) {
    case ErrorCode::unsupported_sop_class: return status::sop_class_not_supported;
    case ErrorCode::forbidden:
    case ErrorCode::unauthenticated: return status::not_authorized;
    case ErrorCode::dicom_missing_attribute:
    case ErrorCode::unprocessable: return status::dataset_does_not_match;
    case ErrorCode::storage_error:
    case ErrorCode::io_error:
    case ErrorCode::unavailable:
    case ErrorCode::too_many_requests:
    case ErrorCode::payload_too_large: return status::out_of_resources;
    case ErrorCode::invalid_dicom:
    case ErrorCode::unsupported_transfer_syntax:
    case ErrorCode::duplicate_instance:
    case ErrorCode::already_exists:
    case ErrorCode::conflict:
    case ErrorCode::invalid_argument:
    default: return status::cannot_understand;
  }
}

std::uint16_t query_failure_status(const Status& error) {
  switch (error.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::dicom_missing_attribute:
    case ErrorCode::unprocessable: return status::dataset_does_not_match;
    case ErrorCode::unsupported_sop_class: return status::sop_class_not_supported;
    case ErrorCode::forbidden:
    case ErrorCode::unauthenticated: return status::not_authorized;
    case ErrorCode::storage_error:
    case ErrorCode::io_error:
    case ErrorCode::unavailable:
    case ErrorCode::too_many_requests: return status::out_of_resources;
    default: return status::cannot_understand;
  }
}

std::string status_hex(std::uint16_t s) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04X", s);
  return buf;
}

std::string error_comment(const Status& error) {
  std::string text = std::string(error_code_name(error.code())) + ": " + error.message();
  for (char& c : text)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = ' ';
  if (text.size() > 64) text.resize(64);
  return text;
}

}  // namespace medai::dimse

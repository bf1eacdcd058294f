#pragma once
// DIMSE status codes (PS3.7 Annex C, PS3.4 B.2.3 / C.4) and their mapping
// from our error catalogue. One table, so the conformance statement and the
// code agree.
#include <cstdint>
#include <string>

#include "core/status.h"

namespace medai::dimse {

namespace status {
inline constexpr std::uint16_t success = 0x0000;
inline constexpr std::uint16_t pending = 0xFF00;
inline constexpr std::uint16_t cancel = 0xFE00;
inline constexpr std::uint16_t sop_class_not_supported = 0x0122;
inline constexpr std::uint16_t not_authorized = 0x0124;
inline constexpr std::uint16_t processing_failure = 0x0110;
inline constexpr std::uint16_t out_of_resources = 0xA700;
inline constexpr std::uint16_t out_of_resources_matches = 0xA701;
inline constexpr std::uint16_t out_of_resources_subops = 0xA702;
inline constexpr std::uint16_t move_destination_unknown = 0xA801;
inline constexpr std::uint16_t dataset_does_not_match = 0xA900;
inline constexpr std::uint16_t cannot_understand = 0xC000;
inline constexpr std::uint16_t subops_with_failures = 0xB000;
}  // namespace status

// Final status of a failed C-STORE for a handler error.
std::uint16_t store_failure_status(const Status& error);
// Final status of a failed C-FIND / C-GET / C-MOVE for a handler error.
std::uint16_t query_failure_status(const Status& error);

// Success, warning (0x0001, 0xBxxx) or pending count as "not a failure".
inline bool is_failure_status(std::uint16_t s) {
  return !(s == status::success || s == 0x0001 || (s & 0xF000) == 0xB000 || s == status::pending ||
           s == 0xFF01);
}

// "0xA700" style text for logs and messages.
std::string status_hex(std::uint16_t s);

// Error Comment (LO, at most 64 characters) for a failure response.
std::string error_comment(const Status& error);

}  // namespace medai::dimse

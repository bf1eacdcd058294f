#pragma once
// Private attributes (odd groups) are removed by the Basic Profile. With the
// Retain Safe Private option, the attributes on this safe list are kept: a
// private attribute is identified by its private creator string, group and
// element offset (the low byte: (gggg,xxEE) in the creator's block).
//
// The built-in list is deliberately empty: PS3.15 leaves safety to the
// institution's knowledge of its devices, and a wrong entry leaks PHI. Sites
// add entries they have verified to the list in private_tags.cc.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace medai::deid {

struct SafePrivateAttribute {
  std::string_view creator;  // exact private creator value, e.g. "GEMS_PARM_01"
  std::uint16_t group;       // odd group
  std::uint8_t element_offset;
};

std::span<const SafePrivateAttribute> builtin_safe_private_attributes();

bool is_safe_private(std::span<const SafePrivateAttribute> list, std::string_view creator,
                     std::uint16_t group, std::uint16_t element);

}  // namespace medai::deid

#include "deid/private_tags.h"

namespace medai::deid {

std::span<const SafePrivateAttribute> builtin_safe_private_attributes() { return {}; }

bool is_safe_private(std::span<const SafePrivateAttribute> list, std::string_view creator,
                     std::uint16_t group, std::uint16_t element) {
  if (element < 0x1000) return false;  // creators and group lengths are never "safe" by themselves
  const auto offset = static_cast<std::uint8_t>(element & 0xFF);
  for (const auto& safe : list)
    if (safe.group == group && safe.element_offset == offset && safe.creator == creator) return true;
  return false;
}

}  // namespace medai::deid

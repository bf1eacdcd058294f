#include "deid/uid_remapper.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdint>

#include "core/crypto.h"
#include "core/ids.h"

namespace medai::deid {

std::string UidRemapper::remap(std::string_view original_uid) const {
  return uid_from_hash_bytes(crypto::blake2b(original_uid, key_, 16));
}

bool is_well_known_uid(std::string_view uid) {
  const std::string s(uid);
  return dcmFindNameOfUID(s.c_str(), nullptr) != nullptr;
}

bool is_class_uid_attribute(std::uint16_t group, std::uint16_t element) {
  const std::uint32_t tag = (std::uint32_t{group} << 16) | element;
  switch (tag) {
    case 0x00000002:  // Affected SOP Class UID
    case 0x00000003:  // Requested SOP Class UID
    case 0x00020002:  // Media Storage SOP Class UID
    case 0x00020010:  // Transfer Syntax UID
    case 0x00020012:  // Implementation Class UID
    case 0x00041510:  // Referenced SOP Class UID in File
    case 0x00041512:  // Referenced Transfer Syntax UID in File
    case 0x00080016:  // SOP Class UID
    case 0x0008001A:  // Related General SOP Class UID
    case 0x0008001B:  // Original Specialized SOP Class UID
    case 0x00080062:  // SOP Classes in Study
    case 0x0008010C:  // Coding Scheme UID
    case 0x0008010D:  // Context Group Extension Creator UID
    case 0x00080117:  // Context UID
    case 0x00080118:  // Mapping Resource UID
    case 0x00081150:  // Referenced SOP Class UID
      return true;
    default:
      return false;
  }
}

}  // namespace medai::deid

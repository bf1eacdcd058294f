#pragma once
#include <string>
#include <string_view>

namespace medai {
// New opaque id with a readable prefix, e.g. "usr_3k9f...": 16 random bytes
// in lower-case base32, sortable by nothing, guessable by nobody.
std::string new_id(std::string_view prefix);
}  // namespace medai

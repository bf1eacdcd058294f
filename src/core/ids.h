#pragma once
#include <string>
#include <string_view>

namespace medai {
// New opaque id with a readable prefix, e.g. "usr_3k9f...": 16 random bytes
// in lower-case base32, sortable by nothing, guessable by nobody.
std::string new_id(std::string_view prefix);

// A DICOM UID under `root` from 16 hash bytes. The bytes are stamped as an
// RFC 9562 version-8 UUID; under "2.25" (PS3.5 B.2) the UID is "2.25." and
// the UUID in decimal (at most 44 characters); under another root the
// decimal is reduced modulo 10^(63 - root length) so the UID fits 64
// characters. Same bytes, same UID.
std::string uid_from_hash_bytes(std::string_view sixteen_bytes, std::string_view root = "2.25");
}  // namespace medai

#pragma once
// Deterministic DICOM UIDs for synthetic objects: "2.25." followed by the
// decimal form of a 128-bit value derived from the seed and a label that names
// the object (e.g. "chest-ct/3/series/ct"). The 2.25 root (ITU-T X.667 UUID
// arc) needs no registration; the same seed always gives the same UIDs, two
// different labels or seeds give different ones with overwhelming probability.
#include <cstdint>
#include <string>
#include <string_view>

namespace medai::synth {

std::string synth_uid(std::uint64_t seed, std::string_view label);

}  // namespace medai::synth

#pragma once
// The generator works on the platform's imaging volume type.
#include "imaging/volume.h"

namespace medai::synth {
using imaging::Vec3;
template <typename T>
using Volume = imaging::Volume<T>;
}  // namespace medai::synth

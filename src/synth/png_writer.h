#pragma once
// Minimal 8-bit greyscale PNG writer (zlib) for ground-truth masks.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/status.h"

namespace medai::synth {

Status write_gray_png(const std::filesystem::path& path, int width, int height, const std::vector<std::uint8_t>& pixels);

}  // namespace medai::synth

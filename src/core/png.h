#pragma once
// PNG encoding (8-bit greyscale or RGB, zlib) for images the platform
// writes itself: ground-truth masks of the generator, heat-maps for the
// portal. Decoding is not needed anywhere.
#include <cstdint>
#include <string>
#include <vector>

namespace medai {

// `pixels` row-major, `channels` 1 (grey) or 3 (RGB) bytes per pixel.
// Returns the PNG bytes, or "" when the size does not match the pixels.
std::string encode_png(int width, int height, int channels, const std::vector<std::uint8_t>& pixels,
                       int compression_level = 6);

}  // namespace medai

#pragma once
// argmax and threshold: probability volumes → label maps.
//   argmax     voxel label = index of the largest channel (ties: the lowest
//              index); with one channel, label = 1 where p >= 0.5.
//   threshold  label = 1 where value >= `value` (a channel of a probability
//              volume), else 0.
// Label maps are Volume<uint8_t>, so argmax takes at most 255 channels.
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "imaging/volume.h"

namespace medai::imaging {

Result<Volume<std::uint8_t>> argmax(const std::vector<Volume<float>>& channels);
Volume<std::uint8_t> threshold(const Volume<float>& values, double value);

}  // namespace medai::imaging

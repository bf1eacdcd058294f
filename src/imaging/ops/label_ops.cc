#include "imaging/ops/label_ops.h"

namespace medai::imaging {

Result<Volume<std::uint8_t>> argmax(const std::vector<Volume<float>>& channels) {
  if (channels.empty()) return make_error(ErrorCode::invalid_argument, "argmax needs at least one channel");
  if (channels.size() > 255) return make_error(ErrorCode::invalid_argument, "argmax takes at most 255 channels");
  for (const auto& c : channels)
    if (!c.same_grid(channels.front()))
      return make_error(ErrorCode::invalid_argument, "argmax channels must share one grid");
  if (channels.size() == 1) return threshold(channels.front(), 0.5);
  Volume<std::uint8_t> out = channels.front().like<std::uint8_t>();
  for (std::size_t n = 0; n < out.data.size(); ++n) {
    std::size_t best = 0;
    float best_value = channels[0].data[n];
    for (std::size_t c = 1; c < channels.size(); ++c)
      if (channels[c].data[n] > best_value) best_value = channels[c].data[n], best = c;
    out.data[n] = static_cast<std::uint8_t>(best);
  }
  return out;
}

Volume<std::uint8_t> threshold(const Volume<float>& values, double value) {
  Volume<std::uint8_t> out = values.like<std::uint8_t>();
  for (std::size_t n = 0; n < out.data.size(); ++n) out.data[n] = values.data[n] >= value ? 1 : 0;
  return out;
}

}  // namespace medai::imaging

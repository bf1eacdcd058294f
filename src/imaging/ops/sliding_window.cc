#include "imaging/ops/sliding_window.h"

#include <algorithm>
#include <cmath>

#include "imaging/ops/crop_pad.h"

namespace medai::imaging {

std::vector<int> window_starts(int size, int patch, double overlap) {
  if (size <= patch) return {0};
  const int step = std::max(1, static_cast<int>(std::floor(patch * (1 - overlap))));
  const int steps = static_cast<int>(std::ceil(static_cast<double>(size - patch) / step)) + 1;
  std::vector<int> starts;
  const double actual = static_cast<double>(size - patch) / (steps - 1);
  for (int s = 0; s < steps; ++s) starts.push_back(static_cast<int>(std::lround(actual * s)));
  return starts;
}

std::vector<float> importance_map(const std::array<int, 3>& patch, Blend blend) {
  const std::size_t n = static_cast<std::size_t>(patch[0]) * patch[1] * patch[2];
  if (blend == Blend::constant) return std::vector<float>(n, 1.0f);
  std::array<std::vector<double>, 3> g;
  for (int a = 0; a < 3; ++a) {
    const double sigma = patch[a] / 8.0, c = (patch[a] - 1) / 2.0;
    for (int x = 0; x < patch[a]; ++x) g[a].push_back(std::exp(-0.5 * (x - c) * (x - c) / (sigma * sigma)));
  }
  std::vector<float> map(n);
  float smallest = 1;
  for (int k = 0; k < patch[2]; ++k)
    for (int j = 0; j < patch[1]; ++j)
      for (int i = 0; i < patch[0]; ++i) {
        // Peak 1: the separable product at the centre is 1 for odd sizes and
        // just below for even ones; normalised below.
        map[(static_cast<std::size_t>(k) * patch[1] + j) * patch[0] + i] = static_cast<float>(g[0][i] * g[1][j] * g[2][k]);
      }
  const float peak = *std::max_element(map.begin(), map.end());
  for (float& v : map) {
    v /= peak;
    if (v > 0) smallest = std::min(smallest, v);
  }
  for (float& v : map) v = std::max(v, smallest);
  return map;
}

Result<std::vector<Volume<float>>> sliding_window(const Volume<float>& input, const PatchInferFn& infer,
                                                  const SlidingWindowOptions& o) {
  const std::array<int, 3>& p = o.patch_size;
  if (p[0] < 1 || p[1] < 1 || p[2] < 1 || !(o.overlap >= 0 && o.overlap < 1) || o.batch_size < 1)
    return make_error(ErrorCode::invalid_argument, "sliding window: patch sizes >= 1, overlap in [0,1), batch >= 1");
  if (input.nx < 1 || input.ny < 1 || input.nz < 1)
    return make_error(ErrorCode::invalid_argument, "sliding window: empty input volume");
  // Pad to at least one patch per axis.
  const std::array<int, 3> padded_size{std::max(input.nx, p[0]), std::max(input.ny, p[1]), std::max(input.nz, p[2])};
  const bool pad = padded_size != std::array<int, 3>{input.nx, input.ny, input.nz};
  Cropped<float> padded;
  if (pad) padded = crop_pad(input, padded_size, o.pad_value);
  const Volume<float>& v = pad ? padded.volume : input;

  struct Tile {
    int i, j, k;
  };
  std::vector<Tile> tiles;
  for (int k : window_starts(v.nz, p[2], o.overlap))
    for (int j : window_starts(v.ny, p[1], o.overlap))
      for (int i : window_starts(v.nx, p[0], o.overlap)) tiles.push_back({i, j, k});
  const std::vector<float> weight = importance_map(p, o.blend);
  const std::size_t patch_voxels = weight.size();

  std::vector<Volume<float>> sums;  // per output channel, allocated on the first answer
  Volume<float> weights = v.like<float>(0.0f);
  std::vector<float> batch;
  for (std::size_t first = 0; first < tiles.size(); first += static_cast<std::size_t>(o.batch_size)) {
    const std::size_t count = std::min(tiles.size() - first, static_cast<std::size_t>(o.batch_size));
    batch.assign(count * patch_voxels, 0.0f);
    for (std::size_t b = 0; b < count; ++b) {
      const Tile& t = tiles[first + b];
      float* dst = batch.data() + b * patch_voxels;
      for (int k = 0; k < p[2]; ++k)
        for (int j = 0; j < p[1]; ++j)
          std::copy_n(&v.at(t.i, t.j + j, t.k + k), p[0],
                      dst + (static_cast<std::size_t>(k) * p[1] + j) * p[0]);
    }
    MEDAI_ASSIGN_OR_RETURN(std::vector<float> answer, infer(batch, static_cast<int>(count), p));
    if (answer.empty() || answer.size() % (count * patch_voxels) != 0)
      return make_error(ErrorCode::unprocessable, "the model's output does not match the patch shape",
                        {{"expected_multiple_of", count * patch_voxels}, {"got", answer.size()}});
    const std::size_t channels = answer.size() / (count * patch_voxels);
    if (sums.empty()) sums.assign(channels, v.like<float>(0.0f));
    if (channels != sums.size())
      return make_error(ErrorCode::unprocessable, "the model's channel count changed between batches");
    for (std::size_t b = 0; b < count; ++b) {
      const Tile& t = tiles[first + b];
      for (int k = 0; k < p[2]; ++k)
        for (int j = 0; j < p[1]; ++j) {
          const std::size_t row = (static_cast<std::size_t>(k) * p[1] + j) * p[0];
          float* wdst = &weights.at(t.i, t.j + j, t.k + k);
          for (int i = 0; i < p[0]; ++i) wdst[i] += weight[row + i];
          for (std::size_t c = 0; c < channels; ++c) {
            const float* src = answer.data() + (b * channels + c) * patch_voxels + row;
            float* dst = &sums[c].at(t.i, t.j + j, t.k + k);
            for (int i = 0; i < p[0]; ++i) dst[i] += weight[row + i] * src[i];
          }
        }
    }
    if (o.progress && !o.progress(static_cast<double>(first + count) / tiles.size()))
      return make_error(ErrorCode::unavailable, "sliding window inference was cancelled", {{"reason", "cancelled"}});
  }
  for (Volume<float>& s : sums) {
    for (std::size_t n = 0; n < s.data.size(); ++n) s.data[n] /= weights.data[n];
    if (pad) {
      Volume<float> back = input.like<float>();
      for (int k = 0; k < input.nz; ++k)
        for (int j = 0; j < input.ny; ++j)
          for (int i = 0; i < input.nx; ++i)
            back.at(i, j, k) = s.at(i - padded.offset[0], j - padded.offset[1], k - padded.offset[2]);
      s = std::move(back);
    }
  }
  return sums;
}

}  // namespace medai::imaging

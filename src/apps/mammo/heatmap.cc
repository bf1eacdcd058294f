#include "apps/mammo/heatmap.h"

#include "core/crypto.h"
#include "core/png.h"

#include <algorithm>
#include <cmath>

namespace medai::apps::mammo {
namespace {

float sample(const ActivationMap& m, double x, double y) {
  // x, y in cell units, cell centres at integer + 0.5.
  const double fx = std::clamp(x - 0.5, 0.0, m.nx - 1.0), fy = std::clamp(y - 0.5, 0.0, m.ny - 1.0);
  const int i0 = static_cast<int>(fx), j0 = static_cast<int>(fy);
  const int i1 = std::min(i0 + 1, m.nx - 1), j1 = std::min(j0 + 1, m.ny - 1);
  const double ax = fx - i0, ay = fy - j0;
  auto v = [&](int i, int j) { return m.values[static_cast<std::size_t>(j) * m.nx + i]; };
  return static_cast<float>((v(i0, j0) * (1 - ax) + v(i1, j0) * ax) * (1 - ay) +
                            (v(i0, j1) * (1 - ax) + v(i1, j1) * ax) * ay);
}

}  // namespace

HotSpot find_hot_spot(const ActivationMap& m) {
  HotSpot h;
  if (m.nx <= 0 || m.ny <= 0 || m.values.size() != static_cast<std::size_t>(m.nx) * m.ny) return h;
  const auto it = std::max_element(m.values.begin(), m.values.end());
  h.peak = *it;
  const auto start = static_cast<std::size_t>(it - m.values.begin());
  const float level = static_cast<float>(h.peak / 2);
  std::vector<std::uint8_t> seen(m.values.size(), 0);
  std::vector<std::size_t> stack{start};
  seen[start] = 1;
  int x0 = m.nx, y0 = m.ny, x1 = -1, y1 = -1;
  while (!stack.empty()) {
    const std::size_t c = stack.back();
    stack.pop_back();
    const int x = static_cast<int>(c % m.nx), y = static_cast<int>(c / m.nx);
    ++h.cells;
    x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    const int nb[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    for (const auto& d : nb) {
      const int xx = x + d[0], yy = y + d[1];
      if (xx < 0 || yy < 0 || xx >= m.nx || yy >= m.ny) continue;
      const std::size_t n = static_cast<std::size_t>(yy) * m.nx + xx;
      if (seen[n] || m.values[n] < level) continue;
      seen[n] = 1;
      stack.push_back(n);
    }
  }
  h.model_box = {x0 * m.cell, y0 * m.cell, (x1 + 1) * m.cell - 1, (y1 + 1) * m.cell - 1};
  return h;
}

imaging::Image2D<float> upsample_to_model(const ActivationMap& m, int width, int height) {
  imaging::Image2D<float> out(width, height, 0.0f);
  if (m.nx <= 0 || m.ny <= 0) return out;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) out.at(x, y) = sample(m, (x + 0.5) / m.cell, (y + 0.5) / m.cell);
  return out;
}

std::vector<std::uint8_t> map_on_source(const ActivationMap& m, const GridMapping& g, int nx, int ny) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(nx) * ny, 0);
  if (m.nx <= 0 || m.ny <= 0 || g.scale <= 0) return out;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const double mx = (i - g.origin_x) / g.scale, my = (j - g.origin_y) / g.scale;  // model pixel
      if (mx < -0.5 || my < -0.5 || mx > g.width - 0.5 || my > g.height - 0.5) continue;
      const float v = sample(m, (mx + 0.5) / m.cell, (my + 0.5) / m.cell);
      out[static_cast<std::size_t>(j) * nx + i] = static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
    }
  return out;
}

std::string heatmap_png(const imaging::Image2D<float>& img, const ActivationMap& m, const HotSpot* spot) {
  const int w = img.nx, h = img.ny;
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
  const auto up = upsample_to_model(m, w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double g = std::clamp(static_cast<double>(img.at(x, y)), 0.0, 1.0) * 255;
      double r = g, gr = g, b = g;
      const double a = up.at(x, y);
      if (a > 0.3) {
        const double alpha = std::min(0.65, (a - 0.3) / 0.7 * 0.9);
        const double cr = 255, cg = 255 * std::clamp((1.0 - a) * 2.0, 0.0, 1.0), cb = 0;  // yellow → red
        r = r * (1 - alpha) + cr * alpha;
        gr = gr * (1 - alpha) + cg * alpha;
        b = b * (1 - alpha) + cb * alpha;
      }
      const std::size_t o = (static_cast<std::size_t>(y) * w + x) * 3;
      rgb[o] = static_cast<std::uint8_t>(std::lround(r));
      rgb[o + 1] = static_cast<std::uint8_t>(std::lround(gr));
      rgb[o + 2] = static_cast<std::uint8_t>(std::lround(b));
    }
  if (spot && spot->cells > 0) {
    const int x0 = std::clamp(static_cast<int>(spot->model_box[0]), 0, w - 1), x1 = std::clamp(static_cast<int>(spot->model_box[2]), 0, w - 1);
    const int y0 = std::clamp(static_cast<int>(spot->model_box[1]), 0, h - 1), y1 = std::clamp(static_cast<int>(spot->model_box[3]), 0, h - 1);
    auto px = [&](int x, int y) {
      const std::size_t o = (static_cast<std::size_t>(y) * w + x) * 3;
      rgb[o] = 0, rgb[o + 1] = 255, rgb[o + 2] = 255;  // cyan outline
    };
    for (int x = x0; x <= x1; ++x) px(x, y0), px(x, y1);
    for (int y = y0; y <= y1; ++y) px(x0, y), px(x1, y);
  }
  return encode_png_rgb(w, h, rgb);
}

std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb) {
  return encode_png(width, height, 3, rgb);
}

}  // namespace medai::apps::mammo

namespace medai::apps::mammo {

std::string base64_encode(const std::string& bytes) { return crypto::base64_encode(bytes); }

imaging::Image2D<float> half_size(const imaging::Image2D<float>& img) {
  imaging::Image2D<float> out(img.nx / 2, img.ny / 2, 0.0f);
  for (int y = 0; y < out.ny; ++y)
    for (int x = 0; x < out.nx; ++x)
      out.at(x, y) = 0.25f * (img.at(2 * x, 2 * y) + img.at(2 * x + 1, 2 * y) + img.at(2 * x, 2 * y + 1) +
                              img.at(2 * x + 1, 2 * y + 1));
  return out;
}

}  // namespace medai::apps::mammo

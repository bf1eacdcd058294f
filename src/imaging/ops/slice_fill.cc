#include "imaging/ops/slice_fill.h"

#include <vector>

namespace medai::imaging {

void flood_from_border(std::uint8_t* s, int nx, int ny, std::uint8_t from, std::uint8_t to) {
  if (from == to) return;
  std::vector<int> stack;
  auto push = [&](int i, int j) {
    const int idx = j * nx + i;
    if (s[idx] == from) {
      s[idx] = to;
      stack.push_back(idx);
    }
  };
  for (int i = 0; i < nx; ++i) push(i, 0), push(i, ny - 1);
  for (int j = 0; j < ny; ++j) push(0, j), push(nx - 1, j);
  while (!stack.empty()) {
    const int idx = stack.back();
    stack.pop_back();
    const int i = idx % nx, j = idx / nx;
    if (i > 0) push(i - 1, j);
    if (i + 1 < nx) push(i + 1, j);
    if (j > 0) push(i, j - 1);
    if (j + 1 < ny) push(i, j + 1);
  }
}

void fill_holes_per_slice(Volume<std::uint8_t>& mask) {
  const std::size_t n = static_cast<std::size_t>(mask.nx) * mask.ny;
  for (int k = 0; k < mask.nz; ++k) {
    std::uint8_t* s = mask.slice(k);
    for (std::size_t i = 0; i < n; ++i) s[i] = s[i] ? 1 : 0;
    flood_from_border(s, mask.nx, mask.ny, 0, 2);             // outside background -> 2
    for (std::size_t i = 0; i < n; ++i) s[i] = s[i] == 2 ? 0 : 1;  // holes (still 0) become 1
  }
}

}  // namespace medai::imaging

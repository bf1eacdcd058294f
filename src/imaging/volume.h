#pragma once
// Volume<T>: a minimal 3-D grid with spacing and origin (patient coordinates,
// LPS, mm). Axial slices: index i runs along +x (patient left), j along +y
// (posterior), k along +z (superior); voxel (i,j,k) centre is
// origin + (i*sx, j*sy, k*sz). Shared by the generator, the pipeline operators and the label readers.
#include <array>
#include <cstddef>
#include <vector>

namespace medai::imaging {

struct Vec3 {
  double x = 0, y = 0, z = 0;
  Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
  Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
  Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
  double dot(const Vec3& o) const { return x * o.x + y * o.y + z * o.z; }
  double norm2() const { return dot(*this); }
};

template <typename T>
struct Volume {
  int nx = 0, ny = 0, nz = 0;
  std::array<double, 3> spacing{1, 1, 1};
  std::array<double, 3> origin{0, 0, 0};
  std::vector<T> data;

  Volume() = default;
  Volume(int nx_, int ny_, int nz_, T fill = T{})
      : nx(nx_), ny(ny_), nz(nz_), data(static_cast<std::size_t>(nx_) * ny_ * nz_, fill) {}

  std::size_t index(int i, int j, int k) const {
    return (static_cast<std::size_t>(k) * ny + j) * nx + i;
  }
  T& at(int i, int j, int k) { return data[index(i, j, k)]; }
  const T& at(int i, int j, int k) const { return data[index(i, j, k)]; }
  T* slice(int k) { return data.data() + static_cast<std::size_t>(k) * nx * ny; }
  const T* slice(int k) const { return data.data() + static_cast<std::size_t>(k) * nx * ny; }

  Vec3 position(double i, double j, double k) const {
    return {origin[0] + i * spacing[0], origin[1] + j * spacing[1], origin[2] + k * spacing[2]};
  }
  // Continuous voxel coordinates of a patient position.
  Vec3 voxel(const Vec3& p) const {
    return {(p.x - origin[0]) / spacing[0], (p.y - origin[1]) / spacing[1], (p.z - origin[2]) / spacing[2]};
  }
  // Copies the geometry but not the data.
  template <typename U>
  Volume<U> like(U fill = U{}) const {
    Volume<U> v(nx, ny, nz, fill);
    v.spacing = spacing;
    v.origin = origin;
    return v;
  }
};

}  // namespace medai::imaging

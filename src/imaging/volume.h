#pragma once
// Volume<T>: a minimal 3-D grid with spacing, origin and direction (patient
// coordinates, LPS, mm). By default axial: index i runs along +x (patient
// left), j along +y (posterior), k along +z (superior). In general voxel
// (i,j,k) centre is origin + D * (i*sx, j*sy, k*sz), where the columns of the
// orthonormal direction matrix D are the row direction (i), the column
// direction (j) and the slice normal (k) — DICOM Image Orientation (Patient)
// gives the first two. Shared by the generator, the series loader, the
// pipeline operators and the label readers.
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
  Vec3 cross(const Vec3& o) const { return {y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x}; }
};

template <typename T>
struct Volume {
  using value_type = T;
  int nx = 0, ny = 0, nz = 0;
  std::array<double, 3> spacing{1, 1, 1};
  std::array<double, 3> origin{0, 0, 0};
  // Row-major 3x3: direction[r * 3 + c] is component r of axis c's unit vector.
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};
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

  std::size_t size() const { return data.size(); }
  // Unit vector of axis a (0 = i, 1 = j, 2 = k) in patient coordinates.
  Vec3 axis(int a) const { return {direction[a], direction[3 + a], direction[6 + a]}; }

  Vec3 position(double i, double j, double k) const {
    const double u = i * spacing[0], v = j * spacing[1], w = k * spacing[2];
    const auto& d = direction;
    return {origin[0] + d[0] * u + d[1] * v + d[2] * w, origin[1] + d[3] * u + d[4] * v + d[5] * w,
            origin[2] + d[6] * u + d[7] * v + d[8] * w};
  }
  // Continuous voxel coordinates of a patient position (D is orthonormal, so
  // its inverse is its transpose).
  Vec3 voxel(const Vec3& p) const {
    const Vec3 r{p.x - origin[0], p.y - origin[1], p.z - origin[2]};
    return {r.dot(axis(0)) / spacing[0], r.dot(axis(1)) / spacing[1], r.dot(axis(2)) / spacing[2]};
  }
  template <typename U>
  bool same_grid(const Volume<U>& o) const {
    return nx == o.nx && ny == o.ny && nz == o.nz && spacing == o.spacing && origin == o.origin &&
           direction == o.direction;
  }
  // Copies the geometry but not the data.
  template <typename U>
  Volume<U> like(U fill = U{}) const {
    Volume<U> v(nx, ny, nz, fill);
    v.spacing = spacing;
    v.origin = origin;
    v.direction = direction;
    return v;
  }
};

}  // namespace medai::imaging

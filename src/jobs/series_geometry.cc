#include "jobs/series_geometry.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace medai::jobs {
namespace {

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::optional<double> SliceGeometry::effective_mm() const {
  if (header_thickness_mm && spacing_mm) return std::max(*header_thickness_mm, *spacing_mm);
  if (header_thickness_mm) return header_thickness_mm;
  return spacing_mm;
}

SliceGeometry slice_geometry(const std::vector<std::filesystem::path>& files) {
  SliceGeometry g;
  std::vector<double> thickness;
  std::vector<std::array<double, 3>> positions;
  std::optional<std::array<double, 3>> normal;
  for (const auto& path : files) {
    DcmFileFormat ff;
    if (ff.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                            DCM_PixelData)
            .bad())
      continue;
    DcmDataset* ds = ff.getDataset();
    ++g.instances_read;
    Float64 t = 0;
    if (ds->findAndGetFloat64(DCM_SliceThickness, t).good() && std::isfinite(t) && t > 0 && t < 1000)
      thickness.push_back(t);
    std::array<double, 3> pos{};
    bool has_pos = true;
    for (unsigned long i = 0; i < 3; ++i) has_pos = has_pos && ds->findAndGetFloat64(DCM_ImagePositionPatient, pos[i], i).good();
    std::array<double, 6> iop{};
    bool has_iop = true;
    for (unsigned long i = 0; i < 6; ++i)
      has_iop = has_iop && ds->findAndGetFloat64(DCM_ImageOrientationPatient, iop[i], i).good();
    if (has_iop && !normal) {
      std::array<double, 3> n{iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5],
                              iop[0] * iop[4] - iop[1] * iop[3]};
      const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      if (len > 1e-6 && std::isfinite(len)) normal = std::array<double, 3>{n[0] / len, n[1] / len, n[2] / len};
    }
    if (has_pos && std::isfinite(pos[0]) && std::isfinite(pos[1]) && std::isfinite(pos[2])) positions.push_back(pos);
  }
  g.header_thickness_mm = median(thickness);
  if (normal && positions.size() >= 2) {
    std::vector<double> d;
    for (const auto& p : positions) d.push_back(p[0] * (*normal)[0] + p[1] * (*normal)[1] + p[2] * (*normal)[2]);
    std::sort(d.begin(), d.end());
    std::vector<double> gaps;
    for (std::size_t i = 1; i < d.size(); ++i)
      if (d[i] - d[i - 1] > 1e-3) gaps.push_back(d[i] - d[i - 1]);  // duplicates (e.g. multi-echo) skipped
    g.spacing_mm = median(gaps);
  }
  return g;
}

}  // namespace medai::jobs

#pragma once
// Volumes as NIfTI-1 files (.nii.gz) with nifticlib (Debian libnifti2-dev,
// the NIfTI reference library), for the NIfTI export of imaging datasets.
//
// Geometry: our volumes are in DICOM patient coordinates (LPS); NIfTI's
// world space is RAS, so the affine is diag(-1, -1, 1) · [D·diag(spacing) |
// origin] (voxel centres; i fastest, as in Volume). qform (quaternion) and
// sform (the same matrix) are both set with code 1 (scanner anatomical),
// pixdim = spacing in mm, xyz_units = mm.
// De-identification: descrip is a fixed text, intent_name and aux_file are
// empty, no extensions; nothing of the source series is written but the
// voxels and the geometry.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "imaging/volume.h"

namespace medai::datasets {

// Row-major 4x4 voxel → RAS (mm) affine of a volume, in double precision.
template <typename T>
std::array<double, 16> nifti_affine(const imaging::Volume<T>& v) {
  std::array<double, 16> a{};
  const double sign[3] = {-1, -1, 1};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) a[r * 4 + c] = sign[r] * v.direction[r * 3 + c] * v.spacing[c];
    a[r * 4 + 3] = sign[r] * v.origin[r];
  }
  a[15] = 1;
  return a;
}

struct NiftiWritten {
  std::string datatype;  // "int16", "float32", "uint8", "uint16"
  std::int64_t bytes = 0;  // size of the .nii.gz
};

// Image values as they are (rescaled, e.g. HU): stored as int16 when every
// value is an integer in int16 range (CT), else as float32; scl_slope 1,
// scl_inter 0. `path` must end in .nii.gz (or .nii). io_error when writing fails.
Result<NiftiWritten> write_nifti_image(const imaging::Volume<float>& volume, const std::filesystem::path& path);

// A label map (0 = background, 1..n = structures): uint8 when the largest
// value fits, else uint16; intent NIFTI_INTENT_LABEL.
Result<NiftiWritten> write_nifti_labels(const imaging::Volume<std::uint16_t>& labels,
                                        const std::filesystem::path& path);

}  // namespace medai::datasets

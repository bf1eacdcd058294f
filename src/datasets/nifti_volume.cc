#include "datasets/nifti_volume.h"

#include <nifti1_io.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

namespace medai::datasets {
namespace {

namespace fs = std::filesystem;

struct NimDeleter {
  void operator()(nifti_image* nim) const {
    if (nim == nullptr) return;
    nim->data = nullptr;  // owned by the caller's vector, not by nifticlib
    nifti_image_free(nim);
  }
};
using NimPtr = std::unique_ptr<nifti_image, NimDeleter>;

// A header for `v`'s grid and geometry; data not allocated.
template <typename T>
Result<NimPtr> make_header(const imaging::Volume<T>& v, int datatype) {
  if (v.nx < 1 || v.ny < 1 || v.nz < 1 || v.nx > 32767 || v.ny > 32767 || v.nz > 32767)
    return make_error(ErrorCode::invalid_argument, "a NIfTI-1 volume has 1..32767 voxels per axis");
  const int dims[8] = {3, v.nx, v.ny, v.nz, 1, 1, 1, 1};
  NimPtr nim(nifti_make_new_nim(dims, datatype, 0));
  if (!nim) return make_error(ErrorCode::internal, "nifticlib could not make a header");
  nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;  // one .nii(.gz) file
  nim->dx = nim->pixdim[1] = static_cast<float>(v.spacing[0]);
  nim->dy = nim->pixdim[2] = static_cast<float>(v.spacing[1]);
  nim->dz = nim->pixdim[3] = static_cast<float>(v.spacing[2]);
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->time_units = NIFTI_UNITS_UNKNOWN;
  const auto a = nifti_affine(v);
  mat44 m;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) m.m[r][c] = static_cast<float>(a[r * 4 + c]);
  nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->qto_xyz = m;
  nim->sto_xyz = m;
  float dx, dy, dz;
  nifti_mat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x, &nim->qoffset_y,
                         &nim->qoffset_z, &dx, &dy, &dz, &nim->qfac);
  nim->qto_ijk = nifti_mat44_inverse(m);
  nim->sto_ijk = nifti_mat44_inverse(m);
  // Nothing from the source: a fixed description, no intent name, no auxiliary file, no extensions.
  std::memset(nim->descrip, 0, sizeof nim->descrip);
  std::strncpy(nim->descrip, "medai dataset export", sizeof nim->descrip - 1);
  std::memset(nim->intent_name, 0, sizeof nim->intent_name);
  std::memset(nim->aux_file, 0, sizeof nim->aux_file);
  nim->num_ext = 0;
  nim->ext_list = nullptr;
  return nim;
}

Result<NiftiWritten> write(NimPtr nim, void* data, const fs::path& path, std::string datatype) {
  const std::string name = path.string();
  if (nifti_set_filenames(nim.get(), name.c_str(), 0, 1) != 0)
    return make_error(ErrorCode::invalid_argument, "a NIfTI file name must end in .nii or .nii.gz");
  nim->data = data;
  std::error_code ec;
  fs::remove(path, ec);
  // "wb1": gzip level 1. CT voxels compress about as well at level 1 as at
  // the default 6, several times faster. Failures are reported only on
  // stderr: the file is read back below.
  znzFile left_open = nifti_image_write_hdr_img2(nim.get(), 1, "wb1", nullptr, nullptr);
  if (left_open != nullptr) znzclose(left_open);
  const auto size = fs::file_size(path, ec);
  NimPtr back(nifti_image_read(name.c_str(), 0));  // the header (gzip-decompressed), not the data
  if (ec || !back || back->nvox != nim->nvox || back->datatype != nim->datatype)
    return make_error(ErrorCode::io_error, "writing a NIfTI file failed");
  return NiftiWritten{std::move(datatype), static_cast<std::int64_t>(size)};
}

}  // namespace

Result<NiftiWritten> write_nifti_image(const imaging::Volume<float>& volume, const fs::path& path) {
  const bool integral = std::all_of(volume.data.begin(), volume.data.end(), [](float x) {
    return std::isfinite(x) && x == std::nearbyint(x) && x >= std::numeric_limits<std::int16_t>::min() &&
           x <= std::numeric_limits<std::int16_t>::max();
  });
  if (integral) {
    MEDAI_ASSIGN_OR_RETURN(NimPtr nim, make_header(volume, NIFTI_TYPE_INT16));
    nim->scl_slope = 1;
    nim->scl_inter = 0;
    std::vector<std::int16_t> values(volume.data.size());
    std::transform(volume.data.begin(), volume.data.end(), values.begin(),
                   [](float x) { return static_cast<std::int16_t>(std::lrint(x)); });
    return write(std::move(nim), values.data(), path, "int16");
  }
  MEDAI_ASSIGN_OR_RETURN(NimPtr nim, make_header(volume, NIFTI_TYPE_FLOAT32));
  nim->scl_slope = 1;
  nim->scl_inter = 0;
  std::vector<float> values(volume.data);
  return write(std::move(nim), values.data(), path, "float32");
}

Result<NiftiWritten> write_nifti_labels(const imaging::Volume<std::uint16_t>& labels, const fs::path& path) {
  const std::uint16_t largest =
      labels.data.empty() ? 0 : *std::max_element(labels.data.begin(), labels.data.end());
  const bool bytes = largest <= 255;
  MEDAI_ASSIGN_OR_RETURN(NimPtr nim, make_header(labels, bytes ? NIFTI_TYPE_UINT8 : NIFTI_TYPE_UINT16));
  nim->intent_code = NIFTI_INTENT_LABEL;
  nim->cal_min = 0;
  nim->cal_max = largest;
  if (bytes) {
    std::vector<std::uint8_t> values(labels.data.begin(), labels.data.end());
    return write(std::move(nim), values.data(), path, "uint8");
  }
  std::vector<std::uint16_t> values(labels.data);
  return write(std::move(nim), values.data(), path, "uint16");
}

}  // namespace medai::datasets

#pragma once
// Reading NIfTI files back in the dataset tests: gunzip (zlib) and
// nifticlib's reader, independent of our writer's code path.
#include <nifti1_io.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace medai::datasets {

inline std::string gunzip(const std::string& gz) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return {};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

struct NimFree {
  void operator()(nifti_image* n) const { nifti_image_free(n); }
};
using Nim = std::unique_ptr<nifti_image, NimFree>;

// Reads a .nii.gz given as bytes (written to `scratch` first).
inline Nim read_nifti_bytes(const std::string& bytes, const std::filesystem::path& scratch) {
  const auto path = scratch / "read-back.nii.gz";
  std::ofstream(path, std::ios::binary) << bytes;
  return Nim(nifti_image_read(path.c_str(), 1));
}

}  // namespace medai::datasets

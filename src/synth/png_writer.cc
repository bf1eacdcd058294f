#include "synth/png_writer.h"

#include "core/files.h"
#include "core/png.h"

namespace medai::synth {

Status write_gray_png(const std::filesystem::path& path, int width, int height, const std::vector<std::uint8_t>& pixels) {
  const std::string png = encode_png(width, height, 1, pixels, 9);
  if (png.empty()) return make_error(ErrorCode::invalid_argument, "PNG: size does not match the pixel count");
  if (!write_file(path, png)) return make_error(ErrorCode::io_error, "cannot write PNG file", {{"path", path.string()}});
  return Status::ok();
}

}  // namespace medai::synth

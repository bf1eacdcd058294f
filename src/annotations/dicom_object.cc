#include "annotations/dicom_object.h"

#include "core/files.h"

#include <fstream>
#include <iterator>

namespace medai::annotations {

Status save_object(const DicomObject& object, const std::filesystem::path& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(object.bytes.data(), static_cast<std::streamsize>(object.bytes.size()));
  f.close();
  if (!f) return make_error(ErrorCode::io_error, "cannot write DICOM file", {{"path", path.string()}});
  return Status::ok();
}

Result<std::string> read_file_bytes(const std::filesystem::path& path) { return read_file(path); }

}  // namespace medai::annotations

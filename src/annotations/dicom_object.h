#pragma once
// A DICOM object produced by a writer: its Part 10 bytes (Explicit VR Little
// Endian, with file meta information) and the UIDs a caller stores or links.
#include <filesystem>
#include <string>

#include "core/status.h"

namespace medai::annotations {

struct DicomObject {
  std::string bytes;  // complete Part 10 file
  std::string sop_class_uid, sop_instance_uid, series_instance_uid, study_instance_uid;
};

// Writes `object.bytes` to `path` (replacing it).
Status save_object(const DicomObject& object, const std::filesystem::path& path);

// Reads a file into memory (for the readers, which take bytes).
Result<std::string> read_file_bytes(const std::filesystem::path& path);

}  // namespace medai::annotations

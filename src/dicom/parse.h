#pragma once
// Reading untrusted DICOM Part 10 data with DCMTK. Garbage, truncated files,
// data sets without the Part 10 header and instances that lack the UIDs every
// index needs are refused with `invalid_dicom` / `dicom_missing_attribute`
// and a reason that names the problem but never a patient value.
//
// DCMTK types are only forward-declared here so that most of the code base
// need not compile dcmdata's headers.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

class DcmFileFormat;
class DcmDataset;

namespace medai::dicom {

// The identity of an instance: validated, non-empty UIDs.
struct InstanceKeys {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string study_uid;
  std::string series_uid;
  std::string transfer_syntax_uid;  // from the file meta information
};

// A parsed Part 10 file. Owns the DCMTK object (meta header + data set).
class ParsedInstance {
 public:
  ParsedInstance(std::unique_ptr<DcmFileFormat> file, InstanceKeys keys);
  ParsedInstance(ParsedInstance&&) noexcept;
  ParsedInstance& operator=(ParsedInstance&&) noexcept;
  ~ParsedInstance();

  DcmFileFormat& file() { return *file_; }
  DcmDataset& dataset();
  const InstanceKeys& keys() const { return keys_; }

 private:
  std::unique_ptr<DcmFileFormat> file_;
  InstanceKeys keys_;
};

// Parses a complete Part 10 file held in memory (preamble, "DICM", meta
// information with a Transfer Syntax UID, data set) and validates the keys.
// Never throws and never crashes on malformed input.
Result<ParsedInstance> parse_dicom(std::string_view bytes);
// Same for a file on disk (read whole; callers hand us files they will store).
Result<ParsedInstance> parse_dicom_file(const std::filesystem::path& path);

// A syntactically valid UID: 1..64 characters, digits and dots, no empty
// component, no leading zero in a multi-digit component.
bool is_valid_uid(std::string_view uid);

// Registers the pixel decoders (DCMTK's JPEG, JPEG-LS, RLE and our JPEG 2000,
// codecs/dcmtk_codecs.h) once per process; called
// by the code that decompresses. Idempotent and thread-safe.
void register_codecs();

}  // namespace medai::dicom

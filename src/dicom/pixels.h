#pragma once
// Pixel access for WADO-RS: uncompressed frames (decompressing JPEG baseline/
// extended/lossless, JPEG-LS and RLE with DCMTK's codecs, JPEG 2000 with
// OpenJPEG: codecs/dcmtk_codecs.h) and rendered PNG/JPEG images with a VOI
// window. A JPEG 2000 frame that cannot be decoded gives invalid_dicom with
// detail.reason malformed_jpeg2000 / jpeg2000_mismatch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "dicom/parse.h"

namespace medai::dicom {

// Transfer syntax UIDs we use by name.
inline constexpr const char* kExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
inline constexpr const char* kImplicitVrLittleEndian = "1.2.840.10008.1.2";

// Frames (1-based numbers) as native little-endian bytes, in the order asked.
// not_found for a frame number beyond NumberOfFrames; invalid_argument for 0.
Result<std::vector<std::string>> extract_frames(ParsedInstance& instance, const std::vector<std::int64_t>& frames);
// The whole value of a top-level binary attribute (PixelData decompressed).
Result<std::string> extract_bulk_data(ParsedInstance& instance, std::uint32_t tag);

// Re-encodes the instance as a Part 10 file in `transfer_syntax_uid`
// (decompressing or compressing with DCMTK). not_acceptable when DCMTK cannot
// produce it from the stored encoding.
Result<std::string> transcode(ParsedInstance& instance, const std::string& transfer_syntax_uid);

// A Part 10 file (meta header + data set) serialised into memory in `xfer`
// (an E_TransferSyntax value); the meta header must already name it.
Result<std::string> write_part10(DcmFileFormat& file, int xfer);

struct RenderOptions {
  std::int64_t frame = 1;                 // 1-based
  std::optional<double> window_center;    // both or neither
  std::optional<double> window_width;
  bool sigmoid = false;                   // VOI LUT function SIGMOID instead of LINEAR
  int max_size = 0;                       // > 0: scale to fit max_size × max_size (thumbnails)
  bool jpeg = false;                      // JPEG instead of PNG
  int quality = 90;                       // JPEG quality
};
// An 8-bit rendering: the window asked for, else the first window in the
// file, else min/max. Colour images are rendered as they are.
Result<std::string> render(ParsedInstance& instance, const RenderOptions& options);

}  // namespace medai::dicom

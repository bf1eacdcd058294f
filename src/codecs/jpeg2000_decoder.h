#pragma once
// Decoding of one JPEG 2000 frame (ISO 15444-1 codestream, or a JP2 file as
// some writers wrongly encapsulate) with OpenJPEG into DICOM native pixel
// layout. No DCMTK here: dcmtk_jpeg2000_codec.cc adapts this to DCMTK's codec
// interface. Untrusted input: every size is checked against the image
// description before OpenJPEG allocates, truncated or corrupt codestreams are
// refused (OpenJPEG strict mode), nothing here aborts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace medai::codecs {

// What the DICOM data set says the frame is; the codestream must agree.
struct FrameLayout {
  std::uint16_t rows = 0;
  std::uint16_t columns = 0;
  std::uint16_t samples_per_pixel = 1;
  std::uint16_t bits_allocated = 16;  // 8, 16 or 32
  std::uint16_t bits_stored = 16;
  bool signed_samples = false;  // Pixel Representation 1
  bool planar = false;          // Planar Configuration 1 (colour by plane)

  std::size_t frame_bytes() const {
    return std::size_t(rows) * columns * samples_per_pixel * (bits_allocated / 8);
  }
};

struct DecodedFrameInfo {
  // The codestream used a multiple-component transform (ICT or RCT), which
  // OpenJPEG has undone: the samples are RGB.
  bool colour_transform_undone = false;
  bool codestream_signed = false;
  int precision = 0;  // bits per sample in the codestream
};

// Decodes `size` bytes into `out` (layout.frame_bytes() bytes, little endian,
// interleaved unless layout.planar). Samples are written as the data set
// declares them: when the codestream's signedness differs from Pixel
// Representation (a known writer bug), values are sign-extended from (or
// masked to) Bits Stored, as pydicom and GDCM do.
// Errors: invalid_dicom with detail.reason "malformed_jpeg2000" (corrupt,
// truncated, not a codestream) or "jpeg2000_mismatch" (size, components,
// precision or subsampling differ from the data set); a human message that
// never contains pixel or patient data.
Result<DecodedFrameInfo> decode_jpeg2000_frame(const std::uint8_t* data, std::size_t size,
                                               const FrameLayout& layout, std::uint8_t* out);

}  // namespace medai::codecs

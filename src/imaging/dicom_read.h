#pragma once
// Private to medai_imaging (includes DCMTK): reading Part 10 files and
// buffers and decoding one frame of stored values into rescaled floats.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::imaging {

// Registers the pixel decoders (codecs/dcmtk_codecs.h: JPEG, JPEG-LS, RLE, JPEG 2000) once and
// silences DCMTK's console log.
void init_dcmtk();

// `header_only`: values longer than 4 KiB (the pixel data) stay on disk until used.
// invalid_dicom with detail.index when the file cannot be read.
Result<std::unique_ptr<DcmFileFormat>> load_dicom_file(const std::filesystem::path& path, std::size_t index,
                                                       bool header_only);
Result<std::unique_ptr<DcmFileFormat>> load_dicom_buffer(std::string_view bytes, std::size_t index);

// First value of a string attribute, trailing padding removed; "" if absent.
std::string get_string(DcmItem& item, const DcmTagKey& tag);

// Decodes the (single) frame into `out` (nx*ny floats): stored values masked
// to Bits Stored, sign-extended when Pixel Representation is 1, then
// value * Rescale Slope + Rescale Intercept. Decompresses encapsulated pixel
// data (codecs::decompress_dataset's errors, with detail.index).
Status decode_rescaled_frame(DcmDataset& ds, std::size_t index, int nx, int ny, float* out);

}  // namespace medai::imaging

#pragma once
// The pixel-data decoders every DCMTK user in medai shares: DCMTK's own
// (JPEG baseline/extended/lossless, JPEG-LS, RLE) plus our JPEG 2000 decoder
// on OpenJPEG (Debian's DCMTK has none; ADR 0016). Registering them once lets
// DcmDataset::chooseRepresentation and DicomImage decode every transfer
// syntax we accept, wherever they are used (WADO-RS frames, transcoding,
// rendered/thumbnail, C-GET/C-MOVE fallback, series → volume).
#include "core/status.h"

class DcmDataset;

namespace medai::codecs {

// Idempotent and thread-safe; call before decoding anything.
void register_dcmtk_decoders();

// Decompresses encapsulated pixel data in place to Explicit VR Little Endian
// (no-op for native pixel data). Errors: unsupported_transfer_syntax (no
// decoder for it; detail.transfer_syntax), invalid_dicom with
// detail.reason "malformed_jpeg2000" / "jpeg2000_mismatch" for a JPEG 2000
// frame that cannot be decoded, invalid_dicom otherwise when a decoder fails
// on the data. Never patient data in messages.
Status decompress_dataset(DcmDataset& ds);

}  // namespace medai::codecs

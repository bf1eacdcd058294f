#include "dicom/pixels.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>  // colour image support
#include <dcmtk/dcmimage/dipipng.h>
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/dipijpeg.h>

#include <cstdio>
#include <memory>

#include "codecs/dcmtk_codecs.h"

namespace medai::dicom {
namespace {

// Decompresses the data set in place when it is encapsulated.
Status ensure_uncompressed(DcmDataset& ds) { return codecs::decompress_dataset(ds); }

Result<std::string> pixel_bytes(DcmDataset& ds) {
  DcmElement* element = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
    return make_error(ErrorCode::not_found, "the instance has no pixel data");
  MEDAI_RETURN_IF_ERROR(ensure_uncompressed(ds));
  Uint8* data = nullptr;
  if (element->getUint8Array(data).bad() || data == nullptr)
    return make_error(ErrorCode::unsupported_transfer_syntax, "the pixel data cannot be read");
  return std::string(reinterpret_cast<const char*>(data), element->getLength());
}

// FILE* into a std::string (DCMTK's image plugins write to FILE*).
class MemoryFile {
 public:
  MemoryFile() { file_ = ::open_memstream(&buffer_, &size_); }
  ~MemoryFile() {
    if (file_) std::fclose(file_);
    std::free(buffer_);
  }
  FILE* get() { return file_; }
  std::string take() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  FILE* file_ = nullptr;
};

}  // namespace

Result<std::vector<std::string>> extract_frames(ParsedInstance& instance, const std::vector<std::int64_t>& frames) {
  DcmDataset& ds = instance.dataset();
  Uint16 rows = 0, columns = 0, samples = 1, bits = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, columns);
  ds.findAndGetUint16(DCM_SamplesPerPixel, samples);
  ds.findAndGetUint16(DCM_BitsAllocated, bits);
  Sint32 count = 1;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, count).bad() || count < 1) count = 1;
  if (rows == 0 || columns == 0 || bits == 0) return make_error(ErrorCode::not_found, "the instance has no pixel data");
  if (bits % 8 != 0 && count > 1)
    return make_error(ErrorCode::not_implemented, "frames of bit-packed multi-frame images are not supported");
  MEDAI_ASSIGN_OR_RETURN(std::string all, pixel_bytes(ds));
  const std::size_t frame_bytes =
      bits % 8 == 0 ? std::size_t(rows) * columns * (samples ? samples : 1) * (bits / 8) : all.size();
  std::vector<std::string> out;
  for (auto f : frames) {
    if (f < 1) return make_error(ErrorCode::invalid_argument, "frame numbers start at 1");
    if (f > count) return make_error(ErrorCode::not_found, "no such frame", {{"frame", f}, {"frames", count}});
    const std::size_t offset = std::size_t(f - 1) * frame_bytes;
    if (offset + frame_bytes > all.size())
      return make_error(ErrorCode::invalid_dicom, "the pixel data is shorter than its frames need");
    out.push_back(all.substr(offset, frame_bytes));
  }
  return out;
}

Result<std::string> extract_bulk_data(ParsedInstance& instance, std::uint32_t tag) {
  DcmDataset& ds = instance.dataset();
  const DcmTagKey key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xffff));
  if (key == DCM_PixelData) return pixel_bytes(ds);
  DcmElement* element = nullptr;
  if (ds.findAndGetElement(key, element).bad() || element == nullptr)
    return make_error(ErrorCode::not_found, "the instance has no such attribute");
  Uint8* data = nullptr;
  if (element->getLength() == 0) return std::string();
  if (element->getUint8Array(data).good() && data != nullptr)
    return std::string(reinterpret_cast<const char*>(data), element->getLength());
  Uint16* words = nullptr;
  if (element->getUint16Array(words).good() && words != nullptr)
    return std::string(reinterpret_cast<const char*>(words), element->getLength());
  Float32* floats = nullptr;
  if (element->getFloat32Array(floats).good() && floats != nullptr)
    return std::string(reinterpret_cast<const char*>(floats), element->getLength());
  Float64* doubles = nullptr;
  if (element->getFloat64Array(doubles).good() && doubles != nullptr)
    return std::string(reinterpret_cast<const char*>(doubles), element->getLength());
  return make_error(ErrorCode::invalid_argument, "the attribute is not a binary value");
}

Result<std::string> write_part10(DcmFileFormat& file, int xfer_value) {
  const auto xfer = static_cast<E_TransferSyntax>(xfer_value);
  // Serialise into memory: the length is known only after writing, so grow.
  std::size_t capacity = 1 << 20;
  for (int attempt = 0; attempt < 12; ++attempt) {
    std::string buffer(capacity, '\0');
    DcmOutputBufferStream out(buffer.data(), static_cast<offile_off_t>(buffer.size()));
    file.transferInit();
    OFCondition cond = file.write(out, xfer, EET_ExplicitLength, nullptr);
    file.transferEnd();
    if (cond.good()) {
      void* data = nullptr;
      offile_off_t length = 0;
      out.flushBuffer(data, length);
      buffer.resize(static_cast<std::size_t>(length));
      return buffer;
    }
    if (cond != EC_StreamNotifyClient)
      return make_error(ErrorCode::internal, std::string("DCMTK could not write the instance: ") + cond.text());
    capacity *= 2;
  }
  return make_error(ErrorCode::payload_too_large, "the instance is too large to serialise");
}

Result<std::string> transcode(ParsedInstance& instance, const std::string& transfer_syntax_uid) {
  register_codecs();
  const DcmXfer target(transfer_syntax_uid.c_str());
  if (target.getXfer() == EXS_Unknown)
    return make_error(ErrorCode::not_acceptable, "unknown transfer syntax requested");
  DcmFileFormat& file = instance.file();
  DcmDataset& ds = instance.dataset();
  if (!target.isEncapsulated()) {
    // Decompress first: a corrupt codestream is reported as such, not as 406.
    Status decoded = codecs::decompress_dataset(ds);
    if (!decoded.is_ok() && decoded.code() != ErrorCode::unsupported_transfer_syntax) return decoded;
  }
  if (ds.chooseRepresentation(target.getXfer(), nullptr).bad() || !ds.canWriteXfer(target.getXfer()))
    return make_error(ErrorCode::not_acceptable,
                      std::string("this server cannot convert the instance to ") + target.getXferName(),
                      {{"transfer_syntax", transfer_syntax_uid}});
  file.getMetaInfo()->putAndInsertString(DCM_TransferSyntaxUID, transfer_syntax_uid.c_str());
  return write_part10(file, target.getXfer());
}

Result<std::string> render(ParsedInstance& instance, const RenderOptions& options) {
  register_codecs();
  DcmDataset& ds = instance.dataset();
  if (options.frame < 1) return make_error(ErrorCode::invalid_argument, "frame numbers start at 1");
  DicomImage image(&ds, ds.getOriginalXfer(), CIF_UsePartialAccessToPixelData,
                   static_cast<unsigned long>(options.frame - 1), 1);
  if (image.getStatus() != EIS_Normal) {
    if (image.getStatus() == EIS_InvalidValue && options.frame > 1)
      return make_error(ErrorCode::not_found, "no such frame");
    // DicomImage only says that decoding failed; the decoder says why.
    if (DcmXfer(ds.getOriginalXfer()).isEncapsulated()) MEDAI_RETURN_IF_ERROR(codecs::decompress_dataset(ds));
    return make_error(ErrorCode::unsupported_transfer_syntax,
                      std::string("the image cannot be rendered: ") + DicomImage::getString(image.getStatus()));
  }
  if (image.isMonochrome()) {
    image.setVoiLutFunction(options.sigmoid ? EFV_Sigmoid : EFV_Linear);
    if (options.window_center && options.window_width)
      image.setWindow(*options.window_center, *options.window_width);
    else if (image.getWindowCount() > 0)
      image.setWindow(0);
    else
      image.setMinMaxWindow();
  }
  std::unique_ptr<DicomImage> scaled;
  DicomImage* target = &image;
  if (options.max_size > 0) {
    const unsigned long w = image.getWidth(), h = image.getHeight();
    if (w > static_cast<unsigned long>(options.max_size) || h > static_cast<unsigned long>(options.max_size)) {
      const double f = static_cast<double>(options.max_size) / static_cast<double>(std::max(w, h));
      scaled.reset(image.createScaledImage(std::max(1UL, static_cast<unsigned long>(w * f)),
                                           std::max(1UL, static_cast<unsigned long>(h * f)), 1 /*interpolate*/));
      if (scaled && scaled->getStatus() == EIS_Normal) target = scaled.get();
    }
  }
  MemoryFile out;
  if (out.get() == nullptr) return make_error(ErrorCode::internal, "cannot allocate an image buffer");
  int ok = 0;
  if (options.jpeg) {
    DiJPEGPlugin plugin;
    plugin.setQuality(static_cast<unsigned int>(options.quality));
    ok = target->writePluginFormat(&plugin, out.get(), 0);
  } else {
    DiPNGPlugin plugin;
    ok = target->writePluginFormat(&plugin, out.get(), 0);
  }
  if (!ok) return make_error(ErrorCode::internal, "the image could not be encoded");
  return out.take();
}

}  // namespace medai::dicom

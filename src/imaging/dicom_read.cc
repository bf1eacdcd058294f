#include "imaging/dicom_read.h"

#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdint>
#include <cstring>
#include <mutex>

#include "codecs/dcmtk_codecs.h"

namespace medai::imaging {

void init_dcmtk() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Every problem reaches the caller as a Status; DCMTK's console output
    // would break the one-JSON-object-per-line log.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    codecs::register_dcmtk_decoders();
  });
}

Result<std::unique_ptr<DcmFileFormat>> load_dicom_file(const std::filesystem::path& path, std::size_t index,
                                                       bool header_only) {
  init_dcmtk();
  auto file = std::make_unique<DcmFileFormat>();
  const OFCondition cond = file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange,
                                          header_only ? 4096 : DCM_MaxReadLength, ERM_autoDetect);
  if (cond.bad())
    return make_error(ErrorCode::invalid_dicom, std::string("an image of the series is not readable DICOM: ") + cond.text(),
                      {{"index", index}});
  return file;
}

Result<std::unique_ptr<DcmFileFormat>> load_dicom_buffer(std::string_view bytes, std::size_t index) {
  init_dcmtk();
  auto file = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  file->transferInit();
  const OFCondition cond = file->read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file->transferEnd();
  if (cond.bad() || bytes.size() < 132 || bytes.substr(128, 4) != "DICM")
    return make_error(ErrorCode::invalid_dicom,
                      std::string("an image of the series is not readable DICOM Part 10 data: ") + cond.text(),
                      {{"index", index}});
  return file;
}

std::string get_string(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  if (item.findAndGetOFString(tag, v).bad()) return {};
  std::string s = v.c_str();
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

Status decode_rescaled_frame(DcmDataset& ds, std::size_t index, int nx, int ny, float* out) {
  if (Status decoded = codecs::decompress_dataset(ds); !decoded.is_ok()) {
    nlohmann::json detail = decoded.detail().is_object() ? decoded.detail() : nlohmann::json::object();
    detail["index"] = index;
    return make_error(decoded.code(), decoded.message(), std::move(detail));
  }
  Uint16 allocated = 0, stored = 0, high = 0, representation = 0;
  ds.findAndGetUint16(DCM_BitsAllocated, allocated);
  if (ds.findAndGetUint16(DCM_BitsStored, stored).bad()) stored = allocated;
  if (ds.findAndGetUint16(DCM_HighBit, high).bad()) high = static_cast<Uint16>(stored - 1);
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);
  if ((allocated != 8 && allocated != 16 && allocated != 32) || stored == 0 || stored > allocated || high >= allocated ||
      high + 1 < stored)
    return make_error(ErrorCode::invalid_dicom, "unsupported Bits Allocated / Bits Stored / High Bit",
                      {{"index", index}, {"bits_allocated", allocated}, {"bits_stored", stored}});
  Float64 slope = 1, intercept = 0;
  if (ds.findAndGetFloat64(DCM_RescaleSlope, slope).bad() || slope == 0) slope = 1;
  if (ds.findAndGetFloat64(DCM_RescaleIntercept, intercept).bad()) intercept = 0;
  DcmElement* element = nullptr;
  Uint8* bytes = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr ||
      element->getUint8Array(bytes).bad() || bytes == nullptr)
    return make_error(ErrorCode::dicom_missing_attribute, "an image of the series has no readable pixel data",
                      {{"index", index}});
  const std::size_t n = static_cast<std::size_t>(nx) * ny;
  const std::size_t width = allocated / 8;
  if (element->getLength() < n * width)
    return make_error(ErrorCode::invalid_dicom, "the pixel data is shorter than rows x columns",
                      {{"index", index}});
  const int shift = high + 1 - stored;
  const std::uint32_t mask = stored == 32 ? 0xffffffffu : ((1u << stored) - 1u);
  const std::uint32_t sign = 1u << (stored - 1);
  const bool is_signed = representation == 1;
  for (std::size_t p = 0; p < n; ++p) {
    std::uint32_t w = 0;
    if (width == 1) {
      w = bytes[p];
    } else if (width == 2) {
      std::uint16_t v;
      std::memcpy(&v, bytes + 2 * p, 2);  // host order after DCMTK's decoding (little endian here)
      w = v;
    } else {
      std::memcpy(&w, bytes + 4 * p, 4);
    }
    w = (w >> shift) & mask;
    double value;
    if (is_signed && (w & sign))
      value = static_cast<double>(static_cast<std::int64_t>(w) - (static_cast<std::int64_t>(mask) + 1));
    else
      value = static_cast<double>(w);
    out[p] = static_cast<float>(value * slope + intercept);
  }
  return Status::ok();
}

}  // namespace medai::imaging

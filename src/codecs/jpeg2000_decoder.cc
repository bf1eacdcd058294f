#include "codecs/jpeg2000_decoder.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace medai::codecs {
namespace {

// OpenJPEG reads through callbacks; this is the cursor over our buffer.
struct MemoryReader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t offset = 0;
};

OPJ_SIZE_T read_cb(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* r = static_cast<MemoryReader*>(user);
  if (r->offset >= r->size) return static_cast<OPJ_SIZE_T>(-1);
  const std::size_t count = std::min<std::size_t>(n, r->size - r->offset);
  std::memcpy(buffer, r->data + r->offset, count);
  r->offset += count;
  return count;
}

OPJ_OFF_T skip_cb(OPJ_OFF_T n, void* user) {
  auto* r = static_cast<MemoryReader*>(user);
  if (n < 0) {
    if (static_cast<std::size_t>(-n) > r->offset) return -1;
    r->offset -= static_cast<std::size_t>(-n);
    return n;
  }
  if (r->offset >= r->size) return -1;
  const std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(n), r->size - r->offset);
  r->offset += count;
  return static_cast<OPJ_OFF_T>(count);
}

OPJ_BOOL seek_cb(OPJ_OFF_T position, void* user) {
  auto* r = static_cast<MemoryReader*>(user);
  if (position < 0 || static_cast<std::size_t>(position) > r->size) return OPJ_FALSE;
  r->offset = static_cast<std::size_t>(position);
  return OPJ_TRUE;
}

// OpenJPEG reports problems through a callback; keep the first error message
// (it describes the codestream's structure, never pixel values).
void error_cb(const char* message, void* user) {
  auto* first = static_cast<std::string*>(user);
  if (first->empty() && message != nullptr) {
    *first = message;
    while (!first->empty() && (first->back() == '\n' || first->back() == ' ')) first->pop_back();
  }
}
void quiet_cb(const char*, void*) {}

struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

Status malformed(const std::string& what, const std::string& opj_message) {
  std::string message = "the JPEG 2000 pixel data cannot be decoded: " + what;
  if (!opj_message.empty()) message += " (" + opj_message + ")";
  return make_error(ErrorCode::invalid_dicom, message, {{"reason", "malformed_jpeg2000"}});
}

Status mismatch(const std::string& what, nlohmann::json detail) {
  detail["reason"] = "jpeg2000_mismatch";
  return make_error(ErrorCode::invalid_dicom,
                    "the JPEG 2000 codestream does not match the image description: " + what,
                    std::move(detail));
}

bool is_jp2_file(const std::uint8_t* data, std::size_t size) {
  static const std::uint8_t kSignature[] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  return size >= sizeof(kSignature) && std::memcmp(data, kSignature, sizeof(kSignature)) == 0;
}

// The sample as the data set declares it (see the header on signedness).
inline std::int64_t declared_value(std::int32_t v, bool codestream_signed, const FrameLayout& layout) {
  const int stored = std::clamp<int>(layout.bits_stored, 1, layout.bits_allocated);
  if (codestream_signed == layout.signed_samples) return v;
  const std::uint64_t mask = stored >= 64 ? ~0ull : ((1ull << stored) - 1);
  std::uint64_t u = static_cast<std::uint64_t>(static_cast<std::int64_t>(v)) & mask;
  if (layout.signed_samples && stored < 64 && (u >> (stored - 1)) & 1u) u |= ~mask;  // sign-extend
  return static_cast<std::int64_t>(u);
}

}  // namespace

Result<DecodedFrameInfo> decode_jpeg2000_frame(const std::uint8_t* data, std::size_t size,
                                               const FrameLayout& layout, std::uint8_t* out) {
  if (layout.bits_allocated != 8 && layout.bits_allocated != 16 && layout.bits_allocated != 32)
    return mismatch("Bits Allocated must be 8, 16 or 32", {{"bits_allocated", layout.bits_allocated}});
  if (layout.rows == 0 || layout.columns == 0 || layout.samples_per_pixel == 0)
    return mismatch("the image has no rows, columns or samples", nlohmann::json::object());
  if (data == nullptr || size < 2) return malformed("the frame is empty", "");

  const bool jp2 = is_jp2_file(data, size);
  if (!jp2 && !(data[0] == 0xFF && data[1] == 0x4F))
    return malformed("the frame does not start with a JPEG 2000 codestream (SOC marker)", "");

  std::string opj_error;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(
      opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  if (!codec) return make_error(ErrorCode::internal, "OpenJPEG could not create a decoder");
  opj_set_error_handler(codec.get(), error_cb, &opj_error);
  opj_set_warning_handler(codec.get(), quiet_cb, nullptr);
  opj_set_info_handler(codec.get(), quiet_cb, nullptr);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec.get(), &parameters)) return malformed("decoder set-up failed", opj_error);
  // Strict: a truncated codestream is an error, not a partially grey image.
  opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE);

  MemoryReader reader{data, size};
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE));
  if (!stream) return make_error(ErrorCode::internal, "OpenJPEG could not create a stream");
  opj_stream_set_user_data(stream.get(), &reader, nullptr);
  opj_stream_set_user_data_length(stream.get(), size);
  opj_stream_set_read_function(stream.get(), read_cb);
  opj_stream_set_skip_function(stream.get(), skip_cb);
  opj_stream_set_seek_function(stream.get(), seek_cb);

  opj_image_t* raw_image = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw_image)) {
    if (raw_image) opj_image_destroy(raw_image);
    return malformed("the codestream header is invalid", opj_error);
  }
  std::unique_ptr<opj_image_t, ImageDeleter> image(raw_image);

  // Check the header against the data set before OpenJPEG allocates tiles.
  if (image->numcomps != layout.samples_per_pixel)
    return mismatch("number of components",
                    {{"components", image->numcomps}, {"samples_per_pixel", layout.samples_per_pixel}});
  const std::uint64_t width = image->x1 > image->x0 ? image->x1 - image->x0 : 0;
  const std::uint64_t height = image->y1 > image->y0 ? image->y1 - image->y0 : 0;
  if (width != layout.columns || height != layout.rows)
    return mismatch(
        "image size",
        {{"width", width}, {"height", height}, {"columns", layout.columns}, {"rows", layout.rows}});
  for (OPJ_UINT32 c = 0; c < image->numcomps; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.dx != 1 || comp.dy != 1)
      return mismatch("subsampled components are not supported", {{"component", c}});
    if (comp.prec < 1 || comp.prec > layout.bits_allocated)
      return mismatch(
          "precision exceeds Bits Allocated",
          {{"component", c}, {"precision", comp.prec}, {"bits_allocated", layout.bits_allocated}});
  }

  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
    return malformed("the codestream is corrupt or truncated", opj_error);

  DecodedFrameInfo info;
  if (opj_codestream_info_v2_t* cstr = opj_get_cstr_info(codec.get())) {
    info.colour_transform_undone = cstr->m_default_tile_info.mct != 0 && image->numcomps >= 3;
    opj_destroy_cstr_info(&cstr);
  }
  info.codestream_signed = image->comps[0].sgnd != 0;
  info.precision = static_cast<int>(image->comps[0].prec);

  const std::size_t pixels = std::size_t(layout.rows) * layout.columns;
  const std::size_t samples = layout.samples_per_pixel;
  const std::size_t bytes = layout.bits_allocated / 8;
  for (std::size_t c = 0; c < samples; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.data == nullptr || comp.w != layout.columns || comp.h != layout.rows)
      return malformed("a component was not decoded completely", opj_error);
    const bool sgnd = comp.sgnd != 0;
    for (std::size_t p = 0; p < pixels; ++p) {
      const std::uint64_t v = static_cast<std::uint64_t>(declared_value(comp.data[p], sgnd, layout));
      std::uint8_t* dst = out + (layout.planar ? (c * pixels + p) : (p * samples + c)) * bytes;
      for (std::size_t b = 0; b < bytes; ++b) dst[b] = static_cast<std::uint8_t>(v >> (8 * b));
    }
  }
  return info;
}

}  // namespace medai::codecs

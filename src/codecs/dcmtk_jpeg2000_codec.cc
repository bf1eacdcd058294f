#include "codecs/dcmtk_jpeg2000_codec.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcvrpobw.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "codecs/jpeg2000_decoder.h"

namespace medai::codecs {
namespace {

thread_local Status last_error;

OFCondition fail(Status status) {
  last_error = std::move(status);
  return EC_CannotChangeRepresentation;
}

struct Fragment {
  const std::uint8_t* data;
  std::size_t size;
};

// The image description from the data set holding the pixel data.
Result<FrameLayout> layout_of(DcmItem& item, Sint32& frames, std::string& photometric) {
  FrameLayout layout;
  Uint16 pixel_representation = 0, planar = 0;
  if (item.findAndGetUint16(DCM_Rows, layout.rows).bad() ||
      item.findAndGetUint16(DCM_Columns, layout.columns).bad() ||
      item.findAndGetUint16(DCM_BitsAllocated, layout.bits_allocated).bad())
    return make_error(ErrorCode::invalid_dicom, "Rows, Columns or Bits Allocated is missing",
                      {{"reason", "jpeg2000_mismatch"}});
  if (item.findAndGetUint16(DCM_SamplesPerPixel, layout.samples_per_pixel).bad())
    layout.samples_per_pixel = 1;
  if (item.findAndGetUint16(DCM_BitsStored, layout.bits_stored).bad() || layout.bits_stored == 0 ||
      layout.bits_stored > layout.bits_allocated)
    layout.bits_stored = layout.bits_allocated;
  item.findAndGetUint16(DCM_PixelRepresentation, pixel_representation);
  if (layout.samples_per_pixel > 1) item.findAndGetUint16(DCM_PlanarConfiguration, planar);
  layout.signed_samples = pixel_representation == 1;
  layout.planar = planar == 1;
  if (item.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
  OFString pi;
  item.findAndGetOFString(DCM_PhotometricInterpretation, pi);
  photometric = pi.c_str();
  while (!photometric.empty() && photometric.back() == ' ') photometric.pop_back();
  return layout;
}

bool starts_codestream(DcmPixelItem* item) {
  Uint8* data = nullptr;
  if (item->getLength() < 4 || item->getUint8Array(data).bad() || data == nullptr) return false;
  static const std::uint8_t kJp2[] = {0, 0, 0, 0x0C};
  return (data[0] == 0xFF && data[1] == 0x4F && data[2] == 0xFF && data[3] == 0x51) ||
         std::memcmp(data, kJp2, 4) == 0;
}

// Item indices [first, last) (item 0 is the Basic Offset Table) holding the
// fragments of each frame: one frame → all fragments; as many fragments as
// frames → one each; else the Basic Offset Table; else fragments that start
// a codestream (SOC + SIZ markers) begin a frame.
Result<std::vector<std::pair<std::size_t, std::size_t>>> frame_items(DcmPixelSequence& seq,
                                                                     std::size_t frames) {
  const std::size_t items = seq.card();
  if (items < 2)
    return make_error(ErrorCode::invalid_dicom, "the encapsulated pixel data has no fragments",
                      {{"reason", "malformed_jpeg2000"}});
  const std::size_t fragments = items - 1;
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (frames == 1) {
    out.emplace_back(1, items);
    return out;
  }
  if (fragments == frames) {
    for (std::size_t f = 0; f < frames; ++f) out.emplace_back(f + 1, f + 2);
    return out;
  }
  DcmPixelItem* table = nullptr;
  if (seq.getItem(table, 0).good() && table != nullptr && table->getLength() == 4 * frames) {
    Uint8* raw = nullptr;
    // Byte offsets of each frame's first item from the first fragment's item tag.
    std::vector<std::uint64_t> starts;
    std::uint64_t position = 0;
    for (std::size_t i = 1; i < items; ++i) {
      DcmPixelItem* item = nullptr;
      if (seq.getItem(item, static_cast<unsigned long>(i)).bad() || item == nullptr) break;
      starts.push_back(position);
      position += 8 + item->getLength();
    }
    if (table->getUint8Array(raw).good() && raw != nullptr) {
      std::vector<std::size_t> first;
      for (std::size_t f = 0; f < frames; ++f) {
        // Encapsulated data is little endian whatever the host.
        const std::uint64_t offset = std::uint64_t(raw[4 * f]) | (std::uint64_t(raw[4 * f + 1]) << 8) |
                                     (std::uint64_t(raw[4 * f + 2]) << 16) |
                                     (std::uint64_t(raw[4 * f + 3]) << 24);
        std::size_t found = 0;
        for (std::size_t i = 0; i < starts.size(); ++i)
          if (starts[i] == offset) found = i + 1;
        if (found == 0 || (!first.empty() && found <= first.back())) {
          first.clear();
          break;
        }
        first.push_back(found);
      }
      if (first.size() == frames) {
        for (std::size_t f = 0; f < frames; ++f)
          out.emplace_back(first[f], f + 1 < frames ? first[f + 1] : items);
        return out;
      }
    }
  }
  std::vector<std::size_t> first;
  for (std::size_t i = 1; i < items; ++i) {
    DcmPixelItem* item = nullptr;
    if (seq.getItem(item, static_cast<unsigned long>(i)).good() && item != nullptr && starts_codestream(item))
      first.push_back(i);
  }
  if (first.size() != frames || first.front() != 1)
    return make_error(ErrorCode::invalid_dicom, "the fragments of the frames cannot be located",
                      {{"reason", "malformed_jpeg2000"}, {"frames", frames}, {"fragments", fragments}});
  for (std::size_t f = 0; f < frames; ++f) out.emplace_back(first[f], f + 1 < frames ? first[f + 1] : items);
  return out;
}

// One frame's codestream: the fragment itself when there is one, else the
// fragments concatenated into `scratch`.
Result<Fragment> frame_bytes(DcmPixelSequence& seq, std::pair<std::size_t, std::size_t> range,
                             std::vector<std::uint8_t>& scratch) {
  std::vector<Fragment> parts;
  for (std::size_t i = range.first; i < range.second; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    if (seq.getItem(item, static_cast<unsigned long>(i)).bad() || item == nullptr)
      return make_error(ErrorCode::invalid_dicom, "a pixel data fragment is missing",
                        {{"reason", "malformed_jpeg2000"}});
    if (item->getLength() == 0) continue;
    if (item->getUint8Array(data).bad() || data == nullptr)
      return make_error(ErrorCode::invalid_dicom, "a pixel data fragment cannot be read",
                        {{"reason", "malformed_jpeg2000"}});
    parts.push_back({data, item->getLength()});
  }
  if (parts.empty())
    return make_error(ErrorCode::invalid_dicom, "the frame has no data", {{"reason", "malformed_jpeg2000"}});
  if (parts.size() == 1) return parts[0];
  scratch.clear();
  for (const auto& p : parts) scratch.insert(scratch.end(), p.data, p.data + p.size);
  return Fragment{scratch.data(), scratch.size()};
}

// After OpenJPEG undid the colour transform, YBR_ICT/YBR_RCT data are RGB.
std::string decoded_colour_model(const std::string& photometric) {
  return photometric == "YBR_ICT" || photometric == "YBR_RCT" ? "RGB" : photometric;
}

}  // namespace

Status take_last_jpeg2000_error() {
  Status s = std::move(last_error);
  last_error = Status::ok();
  return s;
}

OFBool Jpeg2000Decoder::canChangeCoding(const E_TransferSyntax old_rep,
                                        const E_TransferSyntax new_rep) const {
  return (old_rep == EXS_JPEG2000LosslessOnly || old_rep == EXS_JPEG2000) &&
         DcmXfer(new_rep).isNotEncapsulated();
}

OFCondition Jpeg2000Decoder::decode(const DcmRepresentationParameter*, DcmPixelSequence* pixel_sequence,
                                    DcmPolymorphOBOW& uncompressed, const DcmCodecParameter*,
                                    const DcmStack& stack, OFBool&) const {
  DcmStack local(stack);
  local.pop();  // the pixel data element
  DcmObject* parent = local.pop();
  if (parent == nullptr || pixel_sequence == nullptr ||
      (parent->ident() != EVR_dataset && parent->ident() != EVR_item))
    return EC_InvalidTag;
  auto& item = *static_cast<DcmItem*>(parent);
  Sint32 frames = 1;
  std::string photometric;
  auto layout = layout_of(item, frames, photometric);
  if (!layout) return fail(layout.status());
  const std::uint64_t frame_size = layout->frame_bytes();
  std::uint64_t total = frame_size * static_cast<std::uint64_t>(frames);
  if (total & 1) ++total;
  if (total == 0 || total >= std::numeric_limits<Uint32>::max())
    return fail(make_error(ErrorCode::invalid_dicom, "the decompressed pixel data would exceed 4 GiB",
                           {{"reason", "jpeg2000_mismatch"}}));
  auto ranges = frame_items(*pixel_sequence, static_cast<std::size_t>(frames));
  if (!ranges) return fail(ranges.status());

  Uint16* words = nullptr;
  OFCondition cond = uncompressed.createUint16Array(static_cast<Uint32>(total / 2), words);
  if (cond.bad() || words == nullptr) return cond.bad() ? cond : EC_MemoryExhausted;
  auto* bytes = reinterpret_cast<std::uint8_t*>(words);
  std::memset(bytes, 0, static_cast<std::size_t>(total));
  std::vector<std::uint8_t> scratch;
  for (std::size_t f = 0; f < ranges->size(); ++f) {
    auto codestream = frame_bytes(*pixel_sequence, (*ranges)[f], scratch);
    if (!codestream) return fail(codestream.status());
    auto info = decode_jpeg2000_frame(codestream->data, codestream->size, *layout, bytes + f * frame_size);
    if (!info) return fail(info.status());
  }
  // The data set now describes native pixels; YBR_ICT/RCT came out as RGB.
  const std::string model = decoded_colour_model(photometric);
  if (model != photometric) item.putAndInsertString(DCM_PhotometricInterpretation, model.c_str());
  return EC_Normal;
}

OFCondition Jpeg2000Decoder::decodeFrame(const DcmRepresentationParameter*, DcmPixelSequence* pixel_sequence,
                                         const DcmCodecParameter*, DcmItem* dataset, Uint32 frame_number,
                                         Uint32& start_fragment, void* buffer, Uint32 buffer_size,
                                         OFString& decompressed_colour_model) const {
  if (dataset == nullptr || pixel_sequence == nullptr || buffer == nullptr) return EC_IllegalCall;
  Sint32 frames = 1;
  std::string photometric;
  auto layout = layout_of(*dataset, frames, photometric);
  if (!layout) return fail(layout.status());
  if (frame_number >= static_cast<Uint32>(frames)) return EC_IllegalCall;
  if (layout->frame_bytes() > buffer_size) return EC_IllegalCall;
  auto ranges = frame_items(*pixel_sequence, static_cast<std::size_t>(frames));
  if (!ranges) return fail(ranges.status());
  std::vector<std::uint8_t> scratch;
  const auto range = (*ranges)[frame_number];
  auto codestream = frame_bytes(*pixel_sequence, range, scratch);
  if (!codestream) return fail(codestream.status());
  auto info =
      decode_jpeg2000_frame(codestream->data, codestream->size, *layout, static_cast<std::uint8_t*>(buffer));
  if (!info) return fail(info.status());
  start_fragment = static_cast<Uint32>(range.second);
  decompressed_colour_model = decoded_colour_model(photometric).c_str();
  return EC_Normal;
}

OFCondition Jpeg2000Decoder::determineDecompressedColorModel(const DcmRepresentationParameter*,
                                                             DcmPixelSequence*, const DcmCodecParameter*,
                                                             DcmItem* dataset, OFString& colour_model) const {
  if (dataset == nullptr) return EC_IllegalParameter;
  OFString pi;
  if (dataset->findAndGetOFString(DCM_PhotometricInterpretation, pi).bad()) return EC_MissingAttribute;
  std::string p = pi.c_str();
  while (!p.empty() && p.back() == ' ') p.pop_back();
  colour_model = decoded_colour_model(p).c_str();
  return EC_Normal;
}

}  // namespace medai::codecs

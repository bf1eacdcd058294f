#pragma once
// DCMTK codec (decoder only) for JPEG 2000 Image Compression (Lossless Only)
// 1.2.840.10008.1.2.4.90 and JPEG 2000 Image Compression 1.2.840.10008.1.2.4.91,
// decoding each frame with OpenJPEG (jpeg2000_decoder.h). Registered by
// register_dcmtk_decoders(). Private to medai_codecs.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcpixel.h>

#include "core/status.h"

namespace medai::codecs {

class Jpeg2000Decoder : public DcmCodec {
 public:
  OFCondition decode(const DcmRepresentationParameter* from_param, DcmPixelSequence* pixel_sequence,
                     DcmPolymorphOBOW& uncompressed, const DcmCodecParameter* codec_param,
                     const DcmStack& stack, OFBool& remove_old_rep) const override;
  OFCondition decodeFrame(const DcmRepresentationParameter* from_param, DcmPixelSequence* pixel_sequence,
                          const DcmCodecParameter* codec_param, DcmItem* dataset, Uint32 frame_number,
                          Uint32& start_fragment, void* buffer, Uint32 buffer_size,
                          OFString& decompressed_colour_model) const override;
  OFCondition encode(const Uint16*, const Uint32, const DcmRepresentationParameter*, DcmPixelSequence*&,
                     const DcmCodecParameter*, DcmStack&, OFBool&) const override {
    return EC_IllegalCall;  // decoder only
  }
  OFCondition encode(const E_TransferSyntax, const DcmRepresentationParameter*, DcmPixelSequence*,
                     const DcmRepresentationParameter*, DcmPixelSequence*&, const DcmCodecParameter*,
                     DcmStack&, OFBool&) const override {
    return EC_IllegalCall;
  }
  OFBool canChangeCoding(const E_TransferSyntax old_rep, const E_TransferSyntax new_rep) const override;
  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter* from_param,
                                              DcmPixelSequence* pixel_sequence,
                                              const DcmCodecParameter* codec_param, DcmItem* dataset,
                                              OFString& colour_model) const override;
};

// DCMTK's codec interface carries only an OFCondition; the precise reason of
// the last JPEG 2000 failure on this thread is kept here for
// decompress_dataset() (the codec runs synchronously in the caller's thread).
Status take_last_jpeg2000_error();

// Registration parameters DCMTK requires (no options).
class Jpeg2000RepresentationParameter : public DcmRepresentationParameter {
 public:
  DcmRepresentationParameter* clone() const override { return new Jpeg2000RepresentationParameter(*this); }
  const char* className() const override { return "medai::Jpeg2000RepresentationParameter"; }
  OFBool operator==(const DcmRepresentationParameter& other) const override {
    return std::string(other.className()) == className();
  }
};
class Jpeg2000CodecParameter : public DcmCodecParameter {
 public:
  DcmCodecParameter* clone() const override { return new Jpeg2000CodecParameter(*this); }
  const char* className() const override { return "medai::Jpeg2000CodecParameter"; }
};

}  // namespace medai::codecs

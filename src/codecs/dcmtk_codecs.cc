#include "codecs/dcmtk_codecs.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include <mutex>

#include "codecs/dcmtk_jpeg2000_codec.h"

namespace medai::codecs {

void register_dcmtk_decoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    // Process lifetime: DCMTK keeps pointers to these.
    static const Jpeg2000Decoder decoder;
    static const Jpeg2000RepresentationParameter representation;
    static const Jpeg2000CodecParameter parameter;
    DcmCodecList::registerCodec(&decoder, &representation, &parameter);
  });
}

Status decompress_dataset(DcmDataset& ds) {
  register_dcmtk_decoders();
  const DcmXfer original(ds.getOriginalXfer());
  if (!original.isEncapsulated()) return Status::ok();
  (void)take_last_jpeg2000_error();  // clear a stale one
  if (ds.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).good() &&
      ds.canWriteXfer(EXS_LittleEndianExplicit))
    return Status::ok();
  Status j2k = take_last_jpeg2000_error();
  if (!j2k.is_ok()) {
    nlohmann::json detail = j2k.detail().is_object() ? j2k.detail() : nlohmann::json::object();
    detail["transfer_syntax"] = original.getXferID();
    return make_error(j2k.code(), j2k.message(), std::move(detail));
  }
  return make_error(
      ErrorCode::unsupported_transfer_syntax,
      std::string("pixel data in ") + original.getXferName() + " cannot be decompressed by this server",
      {{"transfer_syntax", original.getXferID()}});
}

}  // namespace medai::codecs

// WADO-RS (PS3.18 10.4): retrieve studies, series and instances as
// multipart/related application/dicom (streamed from the blob files, or
// transcoded on request) and metadata in DICOM JSON. Frames, bulk data and
// rendered images are in dicomweb_pixel_routes.cc.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>

#include "dicom/dicom_json.h"
#include "dicom/instance_store.h"
#include "dicom/pixels.h"  // transcode()
#include "http/multipart.h"
#include "http/routes/common.h"
#include "http/routes/dicomweb_common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

using dicom::InstanceSelector;
using dicom::StoredInstance;

// Transfer syntaxes we can decode here (codecs/dcmtk_codecs.h: DCMTK's
// decoders and JPEG 2000 on OpenJPEG) and so re-encode uncompressed.
const std::set<std::string>& decodable_syntaxes() {
  static const std::set<std::string> s = {
      "1.2.840.10008.1.2",      "1.2.840.10008.1.2.1",    "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2",
      "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
      "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
      "1.2.840.10008.1.2.5"};
  return s;
}
const std::set<std::string>& producible_syntaxes() {
  static const std::set<std::string> s = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99"};
  return s;
}

struct Negotiated {
  bool multipart = true;
  std::string transfer_syntax;  // "" = as stored
};

// Accept for application/dicom retrieval.
Result<Negotiated> negotiate_dicom(const std::string& accept, bool single_part_allowed) {
  if (accept.empty()) return Negotiated{};
  for (const auto& m : parse_accept(accept)) {
    std::string ts = m.param("transfer-syntax");
    if (ts == "*") ts.clear();
    if (m.type == "*/*" || m.type == "multipart/*") return Negotiated{true, ""};
    if (m.type == "multipart/related") {
      const std::string type = m.param("type");
      if (type.empty() || type == "application/dicom") return Negotiated{true, ts};
    }
    if (m.type == "application/dicom" && single_part_allowed) return Negotiated{false, ts};
  }
  return make_error(ErrorCode::not_acceptable,
                    "instances are available as multipart/related; type=\"application/dicom\"");
}

// Streams instances as multipart parts, a block at a time.
class RetrieveStream {
 public:
  RetrieveStream(std::vector<StoredInstance> instances, std::string boundary, std::string transfer_syntax,
                 bool multipart)
      : instances_(std::move(instances)),
        boundary_(std::move(boundary)),
        transfer_syntax_(std::move(transfer_syntax)),
        multipart_(multipart) {}
  ~RetrieveStream() { close_file(); }

  // Fills `out` with about a block: several small instances (and their part
  // headers) per chunk, rather than a chunk per piece; each chunk is a hop to
  // the worker pool and back and a write.
  bool next(std::string& out) {
    bool more = true;
    while (more && out.size() < kBlock) more = step(out);
    return more;
  }

 private:
  static constexpr std::size_t kBlock = 1 << 20;

  bool step(std::string& out) {
    if (index_ >= instances_.size()) {
      if (multipart_) out += "--" + boundary_ + "--\r\n";
      return false;
    }
    const StoredInstance& inst = instances_[index_];
    if (!in_part_) {
      in_part_ = true;
      const bool convert = !transfer_syntax_.empty() && transfer_syntax_ != inst.transfer_syntax_uid;
      if (multipart_)
        out += "--" + boundary_ + "\r\nContent-Type: application/dicom; transfer-syntax=" +
               (convert ? transfer_syntax_ : inst.transfer_syntax_uid) + "\r\n\r\n";
      if (convert) {
        auto parsed = dicom::parse_dicom_file(inst.path);
        if (!parsed) throw std::runtime_error("stored instance unreadable");
        auto bytes = dicom::transcode(*parsed, transfer_syntax_);
        if (!bytes) throw std::runtime_error("transcoding failed");
        memory_ = std::move(*bytes);
        memory_pos_ = 0;
      } else {
        fd_ = ::open(inst.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw std::runtime_error("stored instance unreadable");
      }
      return true;
    }
    if (fd_ >= 0) {
      const std::size_t old = out.size();
      const std::size_t want = std::max<std::size_t>(kBlock - std::min(old, kBlock), 64 * 1024);
      out.resize(old + want);
      ssize_t n;
      do n = ::read(fd_, out.data() + old, want);
      while (n < 0 && errno == EINTR);
      if (n < 0) throw std::runtime_error("read failed");
      out.resize(old + static_cast<std::size_t>(n));
      if (n > 0) return true;
      close_file();
    } else if (memory_pos_ < memory_.size()) {
      const std::size_t n = std::min(kBlock, memory_.size() - memory_pos_);
      out.append(memory_, memory_pos_, n);
      memory_pos_ += n;
      return true;
    }
    memory_.clear();
    if (multipart_) out += "\r\n";
    in_part_ = false;
    ++index_;
    return true;
  }

  void close_file() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::vector<StoredInstance> instances_;
  std::string boundary_, transfer_syntax_;
  bool multipart_;
  std::size_t index_ = 0;
  bool in_part_ = false;
  int fd_ = -1;
  std::string memory_;
  std::size_t memory_pos_ = 0;
};

Response retrieve(AppContext& ctx, Request& req) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  const InstanceSelector sel = selector_of(req);
  if (Status s = validate_selector(sel); !s) return Response::error(s);
  auto negotiated = negotiate_dicom(req.header("Accept"), !sel.sop_instance_uid.empty());
  if (!negotiated) return Response::error(negotiated.status());
  auto instances = ctx.dicom_store->locate(*req.principal, sel, "dicom.retrieve");
  if (!instances) return fail(ctx, req, instances.status());
  const std::string& ts = negotiated->transfer_syntax;
  if (!ts.empty()) {
    for (const auto& inst : *instances) {
      if (inst.transfer_syntax_uid == ts) continue;
      if (!producible_syntaxes().count(ts) || !decodable_syntaxes().count(inst.transfer_syntax_uid))
        return Response::error(make_error(ErrorCode::not_acceptable,
                                          "an instance cannot be converted to the requested transfer syntax",
                                          {{"stored", inst.transfer_syntax_uid}, {"requested", ts}}));
    }
  }
  Response r;
  const std::string boundary = new_boundary();
  if (negotiated->multipart)
    r.header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary);
  else
    r.header("Content-Type", "application/dicom");
  auto stream = std::make_shared<RetrieveStream>(std::move(*instances), boundary, ts, negotiated->multipart);
  r.chunks = [stream](std::string& out) { return stream->next(out); };
  return r;
}

Response metadata(AppContext& ctx, Request& req) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  const InstanceSelector sel = selector_of(req);
  if (Status s = validate_selector(sel); !s) return Response::error(s);
  auto instances = ctx.dicom_store->locate(*req.principal, sel, "dicom.metadata");
  if (!instances) return fail(ctx, req, instances.status());
  const std::string base = dicomweb_base_url(req);
  json out = json::array();
  for (const auto& inst : *instances) {
    auto parsed = dicom::parse_dicom_file(inst.path);
    if (!parsed) return Response::error(make_error(ErrorCode::storage_error, "a stored instance cannot be read"));
    dicom::JsonOptions options;
    options.bulk_data_base =
        base + "/studies/" + inst.study_uid + "/series/" + inst.series_uid + "/instances/" + inst.sop_instance_uid;
    json obj = dicom::instance_to_json(*parsed, options);
    // The stored transfer syntax, which the data set itself does not carry.
    dicom::put_string(obj, 0x00083002, "UI", inst.transfer_syntax_uid);
    out.push_back(std::move(obj));
  }
  return dicom_json_response(out);
}

}  // namespace

void register_dicomweb_wado_routes(Router& router, AppContext& ctx) {
  const std::string retrieve_text =
      "WADO-RS retrieve: multipart/related; type=\"application/dicom\", one Part 10 instance per part, ordered by "
      "series and instance number, streamed. Accept transfer-syntax=* (or none) returns the stored bytes; an "
      "explicit uncompressed transfer syntax is produced by transcoding (406 when impossible).";
  const std::string metadata_text =
      "WADO-RS metadata: application/dicom+json array, one DICOM JSON object per instance, text in UTF-8, "
      "large binary values (PixelData) as BulkDataURI.";
  auto get = [&](std::string pattern, std::string op, std::string summary, std::string text, Handler h) {
    router.add(wado_spec(std::move(pattern), std::move(op), std::move(summary), std::move(text)), std::move(h));
  };
  get("/dicom-web/studies/{study}", "retrieveStudy", "Retrieve a study (WADO-RS)", retrieve_text,
      [&ctx](Request& req) { return retrieve(ctx, req); });
  get("/dicom-web/studies/{study}/series/{series}", "retrieveSeries", "Retrieve a series (WADO-RS)", retrieve_text,
      [&ctx](Request& req) { return retrieve(ctx, req); });
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}", "retrieveInstance",
      "Retrieve an instance (WADO-RS)", retrieve_text + " A bare application/dicom Accept gets a single-part body.",
      [&ctx](Request& req) { return retrieve(ctx, req); });
  get("/dicom-web/studies/{study}/metadata", "retrieveStudyMetadata", "Study metadata (WADO-RS)", metadata_text,
      [&ctx](Request& req) { return metadata(ctx, req); });
  get("/dicom-web/studies/{study}/series/{series}/metadata", "retrieveSeriesMetadata", "Series metadata (WADO-RS)",
      metadata_text, [&ctx](Request& req) { return metadata(ctx, req); });
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}/metadata", "retrieveInstanceMetadata",
      "Instance metadata (WADO-RS)", metadata_text, [&ctx](Request& req) { return metadata(ctx, req); });
}

}  // namespace medai::http::routes

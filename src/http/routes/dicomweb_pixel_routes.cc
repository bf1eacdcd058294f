// WADO-RS pixel resources (PS3.18 10.4): frames and bulk data as
// multipart/related application/octet-stream (uncompressed), rendered and
// thumbnail images (JPEG/PNG with a VOI window).
#include <charconv>

#include "dicom/dicom_json.h"
#include "dicom/instance_store.h"
#include "dicom/pixels.h"
#include "http/multipart.h"
#include "http/routes/common.h"
#include "http/routes/dicomweb_common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

using dicom::InstanceSelector;
using dicom::StoredInstance;

Result<std::vector<std::int64_t>> parse_frame_list(const std::string& list) {
  std::vector<std::int64_t> frames;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    const std::string piece = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(piece.data(), piece.data() + piece.size(), v);
    if (piece.empty() || ec != std::errc() || p != piece.data() + piece.size() || v < 1)
      return make_error(ErrorCode::invalid_argument, "frame numbers must be positive integers separated by commas");
    frames.push_back(v);
    if (frames.size() > 10000) return make_error(ErrorCode::invalid_argument, "too many frames requested");
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return frames;
}

Result<dicom::ParsedInstance> load_one(AppContext& ctx, Request& req, StoredInstance* info = nullptr) {
  const InstanceSelector sel = selector_of(req);
  MEDAI_RETURN_IF_ERROR(validate_selector(sel));
  MEDAI_ASSIGN_OR_RETURN(auto instances, ctx.dicom_store->locate(*req.principal, sel, ""));
  if (info) *info = instances.front();
  auto parsed = dicom::parse_dicom_file(instances.front().path);
  if (!parsed) return make_error(ErrorCode::storage_error, "a stored instance cannot be read");
  return parsed;
}

// Frames and bulk data: multipart/related; type="application/octet-stream".
Status accept_octet_stream(const std::string& accept) {
  if (accept.empty()) return Status::ok();
  for (const auto& m : parse_accept(accept)) {
    const std::string ts = m.param("transfer-syntax");
    const bool ts_ok = ts.empty() || ts == "*" || ts == dicom::kExplicitVrLittleEndian;
    if (m.type == "*/*" || m.type == "multipart/*") return Status::ok();
    if (m.type == "application/octet-stream" && ts_ok) return Status::ok();
    if (m.type == "multipart/related") {
      const std::string type = m.param("type");
      if ((type.empty() || type == "application/octet-stream") && ts_ok) return Status::ok();
    }
  }
  return make_error(ErrorCode::not_acceptable,
                    "frames and bulk data are available as multipart/related; type=\"application/octet-stream\" "
                    "(uncompressed, explicit VR little endian)");
}

Response octet_parts(const std::vector<std::string>& parts, const std::string& location_base) {
  const std::string boundary = new_boundary();
  std::string body;
  std::size_t total = 0;
  for (const auto& p : parts) total += p.size() + 200;
  body.reserve(total);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    body += "--" + boundary + "\r\nContent-Type: application/octet-stream; transfer-syntax=" +
            std::string(dicom::kExplicitVrLittleEndian) + "\r\n";
    if (!location_base.empty()) body += "Content-Location: " + location_base + "\r\n";
    body += "\r\n";
    body += parts[i];
    body += "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  Response r;
  r.body = std::move(body);
  r.header("Content-Type", "multipart/related; type=\"application/octet-stream\"; boundary=" + boundary);
  return r;
}

Response frames(AppContext& ctx, Request& req) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  if (Status s = accept_octet_stream(req.header("Accept")); !s) return Response::error(s);
  auto list = parse_frame_list(req.param("frames"));
  if (!list) return Response::error(list.status());
  auto parsed = load_one(ctx, req);
  if (!parsed) return fail(ctx, req, parsed.status());
  auto data = dicom::extract_frames(*parsed, *list);
  if (!data) return Response::error(data.status());
  return octet_parts(*data, "");
}

Response bulkdata(AppContext& ctx, Request& req) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  if (Status s = accept_octet_stream(req.header("Accept")); !s) return Response::error(s);
  auto tag = dicom::parse_tag_key(req.param("tag"));
  if (!tag) return Response::error(make_error(ErrorCode::invalid_argument, "the bulk data tag must be 8 hex digits"));
  auto parsed = load_one(ctx, req);
  if (!parsed) return fail(ctx, req, parsed.status());
  auto data = dicom::extract_bulk_data(*parsed, *tag);
  if (!data) return Response::error(data.status());
  return octet_parts({std::move(*data)}, "");
}

// image/jpeg (the PS3.18 default) or image/png.
Result<bool> wants_jpeg(const std::string& accept) {
  if (accept.empty()) return true;
  for (const auto& m : parse_accept(accept)) {
    if (m.type == "image/jpeg" || m.type == "image/*" || m.type == "*/*") return true;
    if (m.type == "image/png") return false;
  }
  return make_error(ErrorCode::not_acceptable, "rendered images are available as image/jpeg or image/png");
}

Result<dicom::RenderOptions> render_options(const Request& req, bool thumbnail) {
  dicom::RenderOptions o;
  MEDAI_ASSIGN_OR_RETURN(o.jpeg, wants_jpeg(req.header("Accept")));
  if (thumbnail) o.max_size = 128;
  if (auto w = req.query_param("window")) {
    // window=center,width[,linear|linear-exact|sigmoid]
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
      auto end = w->find(',', start);
      parts.push_back(w->substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (parts.size() < 2 || parts.size() > 3)
      return make_error(ErrorCode::invalid_argument, "window must be center,width[,function]");
    double c = 0, wd = 0;
    auto [p1, e1] = std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), c);
    auto [p2, e2] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), wd);
    if (e1 != std::errc() || e2 != std::errc() || p1 != parts[0].data() + parts[0].size() ||
        p2 != parts[1].data() + parts[1].size() || wd <= 0)
      return make_error(ErrorCode::invalid_argument, "window center and width must be numbers, width > 0");
    o.window_center = c;
    o.window_width = wd;
    if (parts.size() == 3) {
      if (parts[2] == "sigmoid") o.sigmoid = true;
      else if (parts[2] != "linear" && parts[2] != "linear-exact")
        return make_error(ErrorCode::invalid_argument, "window function must be linear, linear-exact or sigmoid");
    }
  }
  if (auto v = req.query_param("viewport")) {
    int vw = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), vw);
    if (ec != std::errc() || vw < 1 || vw > 4096)
      return make_error(ErrorCode::invalid_argument, "viewport must be width,height (1..4096)");
    o.max_size = vw;
  }
  if (auto q = req.query_param("quality")) {
    int qv = 0;
    auto [p, ec] = std::from_chars(q->data(), q->data() + q->size(), qv);
    if (ec != std::errc() || qv < 1 || qv > 100)
      return make_error(ErrorCode::invalid_argument, "quality must be 1..100");
    o.quality = qv;
  }
  return o;
}

Response rendered(AppContext& ctx, Request& req, bool thumbnail) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  auto options = render_options(req, thumbnail);
  if (!options) return Response::error(options.status());
  if (req.path_params.count("frames")) {
    auto list = parse_frame_list(req.param("frames"));
    if (!list) return Response::error(list.status());
    if (list->size() != 1)
      return Response::error(make_error(ErrorCode::invalid_argument, "render one frame at a time"));
    options->frame = list->front();
  }
  InstanceSelector sel = selector_of(req);
  if (Status s = validate_selector(sel); !s) return Response::error(s);
  auto instances = ctx.dicom_store->locate(*req.principal, sel, "");
  if (!instances) return fail(ctx, req, instances.status());
  // Study/series thumbnails: the middle image of the first series with pixels.
  const StoredInstance* pick = nullptr;
  std::vector<const StoredInstance*> with_pixels;
  for (const auto& i : *instances)
    if (i.rows && (with_pixels.empty() || with_pixels.front()->series_uid == i.series_uid)) with_pixels.push_back(&i);
  pick = with_pixels.empty() ? &instances->front() : with_pixels[with_pixels.size() / 2];
  auto parsed = dicom::parse_dicom_file(pick->path);
  if (!parsed) return Response::error(make_error(ErrorCode::storage_error, "a stored instance cannot be read"));
  auto image = dicom::render(*parsed, *options);
  if (!image) return Response::error(image.status());
  Response r;
  r.body = std::move(*image);
  r.header("Content-Type", options->jpeg ? "image/jpeg" : "image/png");
  return r;
}

}  // namespace

void register_dicomweb_pixel_routes(Router& router, AppContext& ctx) {
  auto get = [&](std::string pattern, std::string op, std::string summary, std::string text, Handler h) {
    router.add(wado_spec(std::move(pattern), std::move(op), std::move(summary), std::move(text)), std::move(h));
  };
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", "retrieveFrames",
      "Retrieve frames (WADO-RS)",
      "Frames (comma-separated 1-based numbers) as multipart/related; type=\"application/octet-stream\", "
      "uncompressed little endian: JPEG, JPEG-LS, RLE and JPEG 2000 are decompressed (a corrupt codestream "
      "gives 400 invalid_dicom).",
      [&ctx](Request& req) { return frames(ctx, req); });
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag}", "retrieveBulkData",
      "Retrieve bulk data (WADO-RS)",
      "The value of a top-level binary attribute (tag as 8 hex digits) as multipart/related; "
      "type=\"application/octet-stream\"; PixelData is returned uncompressed.",
      [&ctx](Request& req) { return bulkdata(ctx, req); });
  const std::string rendered_text =
      "Rendered image: image/jpeg (default) or image/png per Accept; query window=center,width[,linear|sigmoid] "
      "(else the file's first window, else min/max), viewport=width (scale to fit), quality=1..100 (JPEG).";
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}/rendered", "retrieveRenderedInstance",
      "Rendered instance (WADO-RS)", rendered_text + " Renders frame 1.",
      [&ctx](Request& req) { return rendered(ctx, req, false); });
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/rendered",
      "retrieveRenderedFrame", "Rendered frame (WADO-RS)", rendered_text,
      [&ctx](Request& req) { return rendered(ctx, req, false); });
  get("/dicom-web/studies/{study}/series/{series}/instances/{instance}/thumbnail", "retrieveInstanceThumbnail",
      "Instance thumbnail (WADO-RS)", rendered_text + " At most 128 pixels unless viewport says otherwise.",
      [&ctx](Request& req) { return rendered(ctx, req, true); });
  get("/dicom-web/studies/{study}/series/{series}/thumbnail", "retrieveSeriesThumbnail", "Series thumbnail (WADO-RS)",
      rendered_text + " The middle image of the series.", [&ctx](Request& req) { return rendered(ctx, req, true); });
  get("/dicom-web/studies/{study}/thumbnail", "retrieveStudyThumbnail", "Study thumbnail (WADO-RS)",
      rendered_text + " The middle image of the first series with images.",
      [&ctx](Request& req) { return rendered(ctx, req, true); });
}


}  // namespace medai::http::routes

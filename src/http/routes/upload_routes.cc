// Portal upload: POST /api/v1/uploads with one application/dicom file, a
// multipart/form-data of files, or an application/zip of a study. Every file
// goes through the same DICOM store as STOW-RS and DIMSE (protocol
// "upload"); the answer lists an outcome per file.
#include "dicom/instance_store.h"
#include "dicom/zip_reader.h"
#include "http/multipart.h"
#include "http/routes/common.h"
#include "http/routes/dicomweb_common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

constexpr std::size_t kMaxUploadBytes = std::size_t(4) << 30;
constexpr std::size_t kBatch = 50;  // instances per catalog transaction

bool looks_like_zip(std::string_view bytes) { return bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

class UploadCollector {
 public:
  UploadCollector(dicom::InstanceStore& store, dicom::IngestContext context)
      : store_(store), context_(std::move(context)) {}

  // Takes ownership of the bytes until the batch is ingested.
  void add(std::string name, std::string bytes) {
    pending_names_.push_back(std::move(name));
    pending_bytes_.push_back(std::move(bytes));
    if (pending_bytes_.size() >= kBatch) flush();
  }
  // A view that stays valid until finish() (spooled body, mapped).
  void add_view(std::string name, std::string_view bytes) {
    view_names_.push_back(std::move(name));
    views_.push_back(bytes);
    if (views_.size() >= kBatch) flush_views();
  }
  void fail(std::string name, const Status& status) { items_.push_back(item(name, nullptr, &status)); }

  json finish() {
    flush();
    flush_views();
    std::size_t ok = 0;
    for (const auto& i : items_) ok += i["outcome"] != "failed";
    return {{"items", items_}, {"stored", ok}, {"failed", items_.size() - ok}};
  }
  std::size_t failures() const {
    std::size_t n = 0;
    for (const auto& i : items_) n += i["outcome"] == "failed";
    return n;
  }
  std::size_t total() const { return items_.size(); }

 private:
  static json item(const std::string& name, const dicom::IngestResult* r, const Status* error) {
    json j = {{"name", name}};
    if (r) {
      j["outcome"] = dicom::outcome_name(r->outcome);
      if (!r->keys.sop_instance_uid.empty()) {
        j["study_uid"] = r->keys.study_uid;
        j["series_uid"] = r->keys.series_uid;
        j["sop_instance_uid"] = r->keys.sop_instance_uid;
      }
      if (!r->ok()) error = &r->error;
    } else {
      j["outcome"] = "failed";
    }
    if (error && !error->is_ok()) {
      j["error"] = error_code_name(error->code());
      j["message"] = error->message();
    }
    return j;
  }
  void ingest(const std::vector<std::string_view>& bytes, const std::vector<std::string>& names) {
    if (bytes.empty()) return;
    std::vector<dicom::IngestItem> items;
    for (auto b : bytes) items.push_back({b, {}});
    auto results = store_.ingest_batch(items, context_);
    for (std::size_t i = 0; i < results.size(); ++i) items_.push_back(item(names[i], &results[i], nullptr));
  }
  void flush() {
    std::vector<std::string_view> views(pending_bytes_.begin(), pending_bytes_.end());
    ingest(views, pending_names_);
    pending_bytes_.clear();
    pending_names_.clear();
  }
  void flush_views() {
    ingest(views_, view_names_);
    views_.clear();
    view_names_.clear();
  }

  dicom::InstanceStore& store_;
  dicom::IngestContext context_;
  std::vector<std::string> pending_names_, pending_bytes_, view_names_;
  std::vector<std::string_view> views_;
  json items_ = json::array();
};

Status add_zip(UploadCollector& out, std::string_view archive) {
  return dicom::for_each_zip_file(archive, {}, [&](const std::string& name, std::string bytes) {
    out.add(name, std::move(bytes));
    return Status::ok();
  });
}

Response upload(AppContext& ctx, Request& req) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  const access::Principal& who = *req.principal;
  if (who.institution_id.empty())
    return fail(ctx, req, make_error(ErrorCode::forbidden, "only members of an institution can upload studies"));
  std::optional<MappedFile> mapped;
  std::string_view body = req.body;
  if (!req.body_file.empty()) {
    auto m = MappedFile::open(req.body_file);
    if (!m) return Response::error(m.status());
    mapped.emplace(std::move(*m));
    body = mapped->view();
  }
  if (body.empty()) return Response::error(make_error(ErrorCode::invalid_argument, "the upload is empty"));

  UploadCollector out(*ctx.dicom_store, {.institution_id = who.institution_id,
                                         .user_id = who.user_id,
                                         .calling_ae = {},
                                         .protocol = "upload",
                                         .required_study_uid = {}});
  const MediaType type = parse_media_type(req.header("Content-Type"));
  if (type.type == "application/zip" || type.type == "application/x-zip-compressed") {
    if (Status s = add_zip(out, body); !s) return Response::error(s);
  } else if (type.type == "application/dicom" || type.type == "application/octet-stream") {
    out.add_view("upload.dcm", body);
  } else if (type.type == "multipart/form-data") {
    auto parts = parse_multipart(body, type.param("boundary"));
    if (!parts) return Response::error(parts.status());
    for (const auto& part : *parts) {
      auto disposition = part.headers.find("Content-Disposition");
      const MediaType d = parse_media_type(disposition == part.headers.end() ? "" : disposition->second);
      std::string name = d.param("filename");
      if (name.empty()) continue;  // a plain form field, not a file
      if (looks_like_zip(part.body)) {
        if (Status s = add_zip(out, part.body); !s) out.fail(name, s);
      } else {
        out.add_view(name, part.body);
      }
    }
  } else {
    return Response::error(make_error(ErrorCode::unsupported_media_type,
                                      "upload application/dicom, application/zip or multipart/form-data files"));
  }
  json result = out.finish();
  if (out.total() == 0) return Response::error(make_error(ErrorCode::invalid_argument, "the upload contains no files"));
  const int status = out.failures() == 0 ? 200 : out.failures() == out.total() ? 422 : 207;
  return Response::json(result, status);
}

}  // namespace

void register_upload_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::post,
              .pattern = "/api/v1/uploads",
              .operation_id = "uploadDicom",
              .summary = "Upload DICOM files (portal)",
              .description =
                  "Stores DICOM files sent as one application/dicom body, a multipart/form-data of files (each may "
                  "also be a zip), or an application/zip of a study (zip-bomb limits: 100,000 entries, 2 GiB per "
                  "file, 16 GiB in total, expansion ratio 200). Files are filed under the caller's institution. "
                  "Answers an outcome per file (stored, already_present, replaced, failed with error and message): "
                  "200 all stored, 207 some failed, 422 all failed.",
              .tags = {"dicom"},
              .request_schema = {{"x-media-type", "multipart/form-data"},
                                 {"type", "object"},
                                 {"properties", {{"file", {{"type", "string"}, {"format", "binary"}}}}}},
              .responses = {{200, "every file stored",
                             schema_object({{"items", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                                            {"stored", {{"type", "integer"}}},
                                            {"failed", {{"type", "integer"}}}})},
                            {207, "some files failed"},
                            {422, "every file failed"},
                            error_doc(415, "unsupported content type")},
              .max_body_bytes = kMaxUploadBytes,
              .spool_body = true},
             [&ctx](Request& req) { return upload(ctx, req); });
}

}  // namespace medai::http::routes

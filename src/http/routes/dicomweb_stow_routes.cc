// STOW-RS (PS3.18 10.5): POST /dicom-web/studies[/{study}] with a
// multipart/related; type="application/dicom" body of Part 10 instances.
// The body is spooled to disk and memory-mapped; all instances of a request
// are ingested as one batch (one blob sync pass, one catalog transaction).
#include "dicom/dicom_json.h"
#include "dicom/instance_store.h"
#include "http/multipart.h"
#include "http/routes/common.h"
#include "http/routes/dicomweb_common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

// Largest STOW request body (the server streams it to a spool file).
constexpr std::size_t kMaxStowBytes = std::size_t(4) << 30;

// PS3.18 Table 10.5.3-2 / PS3.4 C-STORE statuses as STOW FailureReason.
int failure_reason(ErrorCode code) {
  switch (code) {
    case ErrorCode::unsupported_sop_class: return 0x0122;       // SOP class not supported
    case ErrorCode::duplicate_instance: return 0x0111;          // duplicate SOP instance
    case ErrorCode::conflict: return 0xA900;                    // does not match (study in the path)
    case ErrorCode::unsupported_transfer_syntax: return 0xC122; // transfer syntax not supported
    case ErrorCode::storage_error:
    case ErrorCode::io_error:
    case ErrorCode::internal: return 0xA700;                    // out of resources / processing failure
    default: return 0xC000;                                     // cannot understand
  }
}

json sop_item(const std::string& sop_class, const std::string& sop_instance) {
  json item = json::object();
  dicom::put_string(item, 0x00081150, "UI", sop_class);
  dicom::put_string(item, 0x00081155, "UI", sop_instance);
  return item;
}

Response stow(AppContext& ctx, Request& req, const std::string& study) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  const access::Principal& who = *req.principal;
  if (who.institution_id.empty())
    return fail(ctx, req, make_error(ErrorCode::forbidden, "only members of an institution can store studies"));
  if (!study.empty() && !dicom::is_valid_uid(study))
    return Response::error(make_error(ErrorCode::invalid_argument, "the study in the path is not a valid UID"));
  for (const auto& accept : parse_accept(req.header("Accept"))) {
    if (accept.type == "application/dicom+xml" && req.header("Accept").find("json") == std::string::npos)
      return Response::error(make_error(ErrorCode::not_acceptable, "responses are available as application/dicom+json"));
  }

  const MediaType content_type = parse_media_type(req.header("Content-Type"));
  std::optional<MappedFile> mapped;
  std::string_view body = req.body;
  if (!req.body_file.empty()) {
    auto m = MappedFile::open(req.body_file);
    if (!m) return Response::error(m.status());
    mapped.emplace(std::move(*m));
    body = mapped->view();
  }

  std::vector<dicom::IngestItem> items;
  std::vector<std::size_t> rejected_parts;  // parts that are not application/dicom
  if (content_type.type == "application/dicom") {
    items.push_back({body, {}});
  } else if (content_type.type == "multipart/related") {
    const std::string type = content_type.param("type");
    if (!type.empty() && type != "application/dicom")
      return Response::error(make_error(ErrorCode::unsupported_media_type,
                                        "only multipart/related; type=\"application/dicom\" is accepted",
                                        {{"type", type.substr(0, 100)}}));
    auto parts = parse_multipart(body, content_type.param("boundary"));
    if (!parts) return Response::error(parts.status());
    for (std::size_t i = 0; i < parts->size(); ++i) {
      const auto& part = (*parts)[i];
      auto it = part.headers.find("Content-Type");
      const std::string part_type = it == part.headers.end() ? "application/dicom" : parse_media_type(it->second).type;
      if (part_type != "application/dicom") {
        rejected_parts.push_back(i);
        continue;
      }
      items.push_back({part.body, {}});
    }
  } else {
    return Response::error(make_error(ErrorCode::unsupported_media_type,
                                      "send multipart/related; type=\"application/dicom\" (or one application/dicom file)"));
  }
  if (items.empty() && rejected_parts.empty())
    return Response::error(make_error(ErrorCode::invalid_argument, "the request contains no instances"));

  dicom::IngestContext context{.institution_id = who.institution_id,
                               .user_id = who.user_id,
                               .calling_ae = {},
                               .protocol = "stow",
                               .required_study_uid = study};
  const auto results = ctx.dicom_store->ingest_batch(items, context);

  const std::string base = dicomweb_base_url(req);
  json referenced = json::array(), failed = json::array();
  std::size_t failures = rejected_parts.size();
  std::string response_study = study;
  for (const auto& r : results) {
    json item = sop_item(r.keys.sop_class_uid, r.keys.sop_instance_uid);
    if (r.ok()) {
      dicom::put_string(item, 0x00081190, "UR",
                        base + "/studies/" + r.keys.study_uid + "/series/" + r.keys.series_uid + "/instances/" +
                            r.keys.sop_instance_uid);
      if (response_study.empty()) response_study = r.keys.study_uid;
      referenced.push_back(std::move(item));
    } else {
      ++failures;
      item["00081197"] = {{"vr", "US"}, {"Value", json::array({failure_reason(r.error.code())})}};
      // Error Comment: our stable code and the reason (never patient data).
      dicom::put_string(item, 0x00000902, "LO",
                        std::string(error_code_name(r.error.code())) + ": " + r.error.message());
      failed.push_back(std::move(item));
    }
  }
  for (std::size_t i = 0; i < rejected_parts.size(); ++i) {
    json item = json::object();
    item["00081197"] = {{"vr", "US"}, {"Value", json::array({0xC000})}};
    dicom::put_string(item, 0x00000902, "LO", "unsupported_media_type: a part is not application/dicom");
    failed.push_back(std::move(item));
  }

  json out = json::object();
  if (!response_study.empty()) dicom::put_string(out, 0x00081190, "UR", base + "/studies/" + response_study);
  if (!failed.empty()) out["00081198"] = {{"vr", "SQ"}, {"Value", failed}};
  if (!referenced.empty()) out["00081199"] = {{"vr", "SQ"}, {"Value", referenced}};
  const std::size_t total = results.size() + rejected_parts.size();
  const int status = failures == 0 ? 200 : failures == total ? 409 : 202;
  return dicom_json_response(out, status);
}

RouteSpec stow_spec(std::string pattern, std::string operation_id, std::string summary) {
  return {.method = Method::post,
          .pattern = std::move(pattern),
          .operation_id = std::move(operation_id),
          .summary = std::move(summary),
          .description =
              "STOW-RS. Body: multipart/related; type=\"application/dicom\" with one DICOM Part 10 instance per "
              "part (or a single application/dicom body). Instances are filed under the caller's institution. "
              "Response (application/dicom+json): ReferencedSOPSequence for stored instances, FailedSOPSequence "
              "with FailureReason and an ErrorComment \"<code>: <reason>\" for refused ones. 200 all stored, "
              "202 some failed, 409 all failed.",
          .tags = {"dicomweb"},
          .request_schema = {{"x-media-type", "multipart/related; type=\"application/dicom\""},
                             {"type", "string"},
                             {"format", "binary"},
                             {"description", "DICOM Part 10 instances, one per part"}},
          .responses = {{200, "all instances stored", {{"type", "object"}}},
                        {202, "some instances failed", {{"type", "object"}}},
                        {409, "every instance failed", {{"type", "object"}}},
                        error_doc(415, "not multipart/related; type=application/dicom")},
          .max_body_bytes = kMaxStowBytes,
          .spool_body = true};
}

}  // namespace

void register_dicomweb_stow_routes(Router& router, AppContext& ctx) {
  router.add(stow_spec("/dicom-web/studies", "stowStudies", "Store instances (STOW-RS)"),
             [&ctx](Request& req) { return stow(ctx, req, ""); });
  router.add(stow_spec("/dicom-web/studies/{study}", "stowStudy", "Store instances of one study (STOW-RS)"),
             [&ctx](Request& req) { return stow(ctx, req, req.param("study")); });
}

}  // namespace medai::http::routes

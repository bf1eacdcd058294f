#include "http/routes/dicomweb_common.h"

#include "dicom/parse.h"
#include "http/routes/common.h"

namespace medai::http::routes {

std::string dicomweb_base_url(const Request& req) {
  std::string host = req.header("Host");
  // Only characters of a host[:port]; anything else falls back to a relative URL.
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '-' || c == '[' || c == ']'))
      return kDicomWebRoot;
  if (host.empty()) return kDicomWebRoot;
  return std::string(req.tls ? "https://" : "http://") + host + kDicomWebRoot;
}

Response dicom_json_response(const nlohmann::json& body, int status) {
  Response r = Response::json(body, status);
  r.headers.erase("Content-Type");
  r.headers.emplace("Content-Type", kDicomJson);
  return r;
}

bool dicom_store_ready(const AppContext& ctx) { return ctx.dicom_store != nullptr; }

ResponseDoc dicom_json_doc(int status, const std::string& description) {
  return {status, description, {{"type", "array"}, {"items", {{"type", "object"}}}}};
}

dicom::InstanceSelector selector_of(const Request& req) {
  dicom::InstanceSelector s;
  s.study_uid = req.param("study");
  if (req.path_params.count("series")) s.series_uid = req.param("series");
  if (req.path_params.count("instance")) s.sop_instance_uid = req.param("instance");
  return s;
}

Status validate_selector(const dicom::InstanceSelector& s) {
  for (const auto* uid : {&s.study_uid, &s.series_uid, &s.sop_instance_uid})
    if (!uid->empty() && !dicom::is_valid_uid(*uid))
      return make_error(ErrorCode::invalid_argument, "a UID in the path is not valid");
  return Status::ok();
}

RouteSpec wado_spec(std::string pattern, std::string operation_id, std::string summary, std::string description) {
  return {.method = Method::get,
          .pattern = std::move(pattern),
          .operation_id = std::move(operation_id),
          .summary = std::move(summary),
          .description = std::move(description) + " Visible data: the caller's institution (platform "
                                                  "administrators: all); another tenant's data is 404.",
          .tags = {"dicomweb"},
          .responses = {{200, "the content"}, error_doc(404, "not found"), error_doc(406, "not acceptable")}};
}


}  // namespace medai::http::routes

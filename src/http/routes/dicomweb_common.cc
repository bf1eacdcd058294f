#include "http/routes/dicomweb_common.h"

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

}  // namespace medai::http::routes

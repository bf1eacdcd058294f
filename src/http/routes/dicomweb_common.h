#pragma once
// Helpers shared by the DICOMweb route files (STOW-RS, QIDO-RS, WADO-RS).
#include <nlohmann/json.hpp>
#include <string>

#include "http/app.h"
#include "http/message.h"
#include "dicom/instance_store.h"
#include "http/router.h"

namespace medai::http::routes {

inline constexpr const char* kDicomWebRoot = "/dicom-web";
inline constexpr const char* kDicomJson = "application/dicom+json";

// "http(s)://<Host>/dicom-web" as the client addressed us, so RetrieveURL and
// BulkDataURI work behind the origin the browser used.
std::string dicomweb_base_url(const Request& req);
// A DICOM JSON body (Content-Type application/dicom+json).
Response dicom_json_response(const nlohmann::json& body, int status = 200);
// 503 when the DICOM store is not wired (should not happen in `medai serve`).
bool dicom_store_ready(const AppContext& ctx);
// OpenAPI path parameters are implied by the pattern; these document the
// common response shapes.
ResponseDoc dicom_json_doc(int status, const std::string& description);

// {study}/{series}/{instance} path parameters of a WADO-RS route.
dicom::InstanceSelector selector_of(const Request& req);
// invalid_argument when a UID in the path is malformed.
Status validate_selector(const dicom::InstanceSelector& selector);
// The common description of a WADO-RS GET route.
RouteSpec wado_spec(std::string pattern, std::string operation_id, std::string summary, std::string description);

}  // namespace medai::http::routes

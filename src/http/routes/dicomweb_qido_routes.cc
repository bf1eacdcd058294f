// QIDO-RS (PS3.18 10.6): search studies, series and instances of the
// caller's institution (platform administrators: all) in DICOM JSON.
#include "dicom/parse.h"
#include "dicom/qido_query.h"
#include "http/routes/common.h"
#include "http/routes/dicomweb_common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

Response search(AppContext& ctx, Request& req, dicom::QidoLevel level, const std::string& study,
                const std::string& series) {
  if (!dicom_store_ready(ctx)) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
  if ((!study.empty() && !dicom::is_valid_uid(study)) || (!series.empty() && !dicom::is_valid_uid(series)))
    return Response::error(make_error(ErrorCode::invalid_argument, "a UID in the path is not valid"));
  auto query = dicom::parse_qido(level, study, series, req.query);
  if (!query) return Response::error(query.status());
  auto result = dicom::run_qido(ctx.dicom_store->catalog(), *req.principal, *query, dicomweb_base_url(req));
  if (!result) return fail(ctx, req, result.status());
  // X-Total-Count: how many match (the body is a bare array by the standard).
  const access::Page page{query->limit, query->offset};
  auto total = list_total(result->size(), page,
                          [&] { return dicom::count_qido(ctx.dicom_store->catalog(), *req.principal, *query); });
  if (!total) return fail(ctx, req, total.status());
  Response r = dicom_json_response(*result);
  r.header(kTotalCountHeader, std::to_string(*total));
  if (!query->ignored.empty()) {
    std::string list;
    for (const auto& name : query->ignored) list += (list.empty() ? "" : ", ") + name;
    r.header("Warning", "299 medai \"The following parameters are not supported and were ignored: " + list + "\"");
  }
  return r;
}

std::vector<json> qido_parameters() {
  auto params = paging_parameters();
  params.push_back(query_parameter("includefield", "attribute keywords or tags to add, comma separated, or 'all'"));
  params.push_back(query_parameter("orderby",
                                   "sort keys before the default order: indexed attribute keywords or tags, comma "
                                   "separated or repeated, '-' prefix for descending (e.g. -StudyDate,PatientName); "
                                   "unknown or not indexed attributes give 400"));
  params.push_back(query_parameter("fuzzymatching", "true: person names match by word prefix, case-insensitive",
                                   "boolean"));
  params.push_back(query_parameter("{attributeID}",
                                   "matching key: keyword (PatientName) or tag (00100010); exact, wildcard * ?, "
                                   "range a-b for dates/times, UID lists"));
  return params;
}

RouteSpec qido_spec(std::string pattern, std::string operation_id, std::string summary, std::string what) {
  return {.method = Method::get,
          .pattern = std::move(pattern),
          .operation_id = std::move(operation_id),
          .summary = std::move(summary),
          .description = "QIDO-RS search for " + what +
                         " visible to the caller (own institution; platform administrators: all). "
                         "Returns application/dicom+json; names are UTF-8 whatever the stored Specific "
                         "Character Set. Sorted (orderby, then the default order) and stable for paging (limit default "
                         "1000, max 10000); the X-Total-Count header says how many match in all.",
          .tags = {"dicomweb"},
          .parameters = qido_parameters(),
          .responses = {dicom_json_doc(200, "matches (possibly empty)"), error_doc(400, "malformed parameter")}};
}

}  // namespace

void register_dicomweb_qido_routes(Router& router, AppContext& ctx) {
  using dicom::QidoLevel;
  router.add(qido_spec("/dicom-web/studies", "searchStudies", "Search studies (QIDO-RS)", "studies"),
             [&ctx](Request& req) { return search(ctx, req, QidoLevel::study, "", ""); });
  router.add(qido_spec("/dicom-web/series", "searchSeries", "Search series (QIDO-RS)", "series of all studies"),
             [&ctx](Request& req) { return search(ctx, req, QidoLevel::series, "", ""); });
  router.add(qido_spec("/dicom-web/instances", "searchInstances", "Search instances (QIDO-RS)",
                       "instances of all studies"),
             [&ctx](Request& req) { return search(ctx, req, QidoLevel::instance, "", ""); });
  router.add(qido_spec("/dicom-web/studies/{study}/series", "searchStudySeries", "Search a study's series (QIDO-RS)",
                       "series of one study"),
             [&ctx](Request& req) { return search(ctx, req, QidoLevel::series, req.param("study"), ""); });
  router.add(qido_spec("/dicom-web/studies/{study}/instances", "searchStudyInstances",
                       "Search a study's instances (QIDO-RS)", "instances of one study"),
             [&ctx](Request& req) { return search(ctx, req, QidoLevel::instance, req.param("study"), ""); });
  router.add(qido_spec("/dicom-web/studies/{study}/series/{series}/instances", "searchSeriesInstances",
                       "Search a series' instances (QIDO-RS)", "instances of one series"),
             [&ctx](Request& req) {
               return search(ctx, req, QidoLevel::instance, req.param("study"), req.param("series"));
             });
}

}  // namespace medai::http::routes

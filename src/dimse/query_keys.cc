#include "dimse/query_keys.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>

namespace medai::dimse {

std::string_view query_level_name(QueryLevel level) {
  switch (level) {
    case QueryLevel::patient: return "PATIENT";
    case QueryLevel::study: return "STUDY";
    case QueryLevel::series: return "SERIES";
    case QueryLevel::image: return "IMAGE";
  }
  return "STUDY";
}

Result<QueryLevel> query_level_of(const DcmDataset& identifier, QueryModel model) {
  OFString text;
  if (const_cast<DcmDataset&>(identifier).findAndGetOFString(DCM_QueryRetrieveLevel, text).bad() || text.empty())
    return make_error(ErrorCode::invalid_argument, "the identifier has no Query/Retrieve Level (0008,0052)");
  std::string level = text.c_str();
  while (!level.empty() && level.back() == ' ') level.pop_back();
  if (level == "PATIENT") {
    if (model == QueryModel::study_root)
      return make_error(ErrorCode::invalid_argument, "the study root model has no PATIENT level");
    return QueryLevel::patient;
  }
  if (level == "STUDY") return QueryLevel::study;
  if (level == "SERIES") return QueryLevel::series;
  if (level == "IMAGE") return QueryLevel::image;
  return make_error(ErrorCode::invalid_argument, "unknown Query/Retrieve Level", {{"level", level}});
}

}  // namespace medai::dimse

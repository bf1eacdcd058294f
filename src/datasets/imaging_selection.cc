#include "datasets/imaging_selection.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <map>
#include <set>

#include "dicom/parse.h"

namespace medai::datasets {
namespace {

using storage::Params;
using storage::Transaction;

void collect_series_uids(DcmItem& item, int depth, std::set<std::string>& out) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* el = item.getElement(i);
    if (el == nullptr) continue;
    if (depth > 0 && el->getTag() == DCM_SeriesInstanceUID) {
      OFString v;
      if (el->getOFString(v, 0).good() && !v.empty()) out.insert(v.c_str());
    } else if (el->ident() == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(el);
      for (unsigned long k = 0; k < seq->card(); ++k) collect_series_uids(*seq->getItem(k), depth + 1, out);
    }
  }
}

// "a-b", "a-", "-b" or a single date → SQL condition on st.study_date.
void add_date_condition(const std::string& range, std::string& sql, Params& params) {
  const auto dash = range.find('-');
  auto next = [&params] { return "$" + std::to_string(params.size() + 1); };
  if (dash == std::string::npos) {
    sql += " AND st.study_date = " + next();
    params.emplace_back(range);
    return;
  }
  const std::string from = range.substr(0, dash), to = range.substr(dash + 1);
  if (!from.empty()) {
    sql += " AND st.study_date >= " + next();
    params.emplace_back(from);
  }
  if (!to.empty()) {
    sql += " AND st.study_date <= " + next();
    params.emplace_back(to);
  }
}

std::string in_list(const std::vector<std::string>& values, Params& params) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(values[i]);
    out += (i ? ", $" : "$") + std::to_string(params.size());
  }
  return out + ")";
}

}  // namespace

bool is_annotation_modality(const std::string& modality) {
  static const std::set<std::string> kinds = {"SEG", "RTSTRUCT", "SR", "KO", "PR", "RTPLAN", "RTDOSE", "RTRECORD", "REG"};
  return kinds.count(modality) > 0;
}

Result<std::vector<std::string>> referenced_series_of(const std::string& dicom_file) {
  MEDAI_ASSIGN_OR_RETURN(dicom::ParsedInstance parsed, dicom::parse_dicom_file(dicom_file));
  std::set<std::string> uids;
  collect_series_uids(parsed.dataset(), 0, uids);
  uids.erase(parsed.keys().series_uid);
  return std::vector<std::string>(uids.begin(), uids.end());
}

Result<std::vector<ImagingSeries>> select_imaging_series(storage::Catalog& catalog, const storage::BlobStore& blobs,
                                                         const std::string& institution_id,
                                                         const ImagingSelection& selection) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  Params params{institution_id};
  std::string sql =
      "SELECT s.study_uid, s.series_uid, s.modality, s.body_part_examined, s.instance_count, st.patient_id "
      "FROM dicom_series s JOIN dicom_studies st ON st.institution_id = s.institution_id AND "
      "st.study_uid = s.study_uid WHERE s.institution_id = $1";
  if (!selection.study_uids.empty()) sql += " AND s.study_uid IN " + in_list(selection.study_uids, params);
  if (!selection.modalities.empty()) sql += " AND s.modality IN " + in_list(selection.modalities, params);
  if (!selection.body_part.empty()) {
    params.emplace_back(selection.body_part);
    sql += " AND s.body_part_examined = $" + std::to_string(params.size());
  }
  if (!selection.study_date.empty()) add_date_condition(selection.study_date, sql, params);
  sql += " ORDER BY s.study_uid, s.series_uid";
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, params));

  std::vector<ImagingSeries> out;
  std::set<std::string> studies;
  for (const auto& r : rows) {
    ImagingSeries s;
    s.study_uid = r.get_text("study_uid");
    s.series_uid = r.get_text("series_uid");
    s.modality = r.get_text("modality");
    if (is_annotation_modality(s.modality)) continue;
    s.body_part = r.get_text("body_part_examined");
    s.instances = r.get_int("instance_count");
    s.patient_id = r.get_text("patient_id");
    studies.insert(s.study_uid);
    out.push_back(std::move(s));
  }
  if (static_cast<std::int64_t>(out.size()) > selection.max_series)
    return make_error(ErrorCode::invalid_argument, "the selection matches more series than max_series",
                      {{"series", out.size()}, {"max_series", selection.max_series}});
  if (out.empty()) return out;

  // Annotation objects of those studies, and the image series they reference.
  std::map<std::string, std::vector<AnnotationRef>> by_series;
  std::vector<std::string> study_list(studies.begin(), studies.end());
  Params aparams{institution_id};
  const std::string asql =
      "SELECT i.sop_instance_uid, i.series_uid, i.blob_sha256, s.modality FROM dicom_instances i JOIN dicom_series s "
      "ON s.institution_id = i.institution_id AND s.series_uid = i.series_uid WHERE i.institution_id = $1 AND "
      "s.modality IN ('SEG', 'RTSTRUCT', 'SR') AND i.study_uid IN " +
      in_list(study_list, aparams) + " ORDER BY i.series_uid, i.sop_instance_uid";
  MEDAI_ASSIGN_OR_RETURN(auto arows, tx->query(asql, aparams));
  for (const auto& r : arows) {
    MEDAI_ASSIGN_OR_RETURN(auto path, blobs.path_of(r.get_text("blob_sha256")));
    auto refs = referenced_series_of(path.string());
    if (!refs) continue;  // an unreadable annotation is not a label; the image series stays
    for (const auto& uid : *refs)
      by_series[uid].push_back({r.get_text("modality"), r.get_text("series_uid"), r.get_text("sop_instance_uid")});
  }
  for (auto& s : out)
    if (auto it = by_series.find(s.series_uid); it != by_series.end()) s.annotations = it->second;
  return out;
}

}  // namespace medai::datasets

#include "datasets/imaging_dataset.h"

#include <algorithm>
#include <set>

namespace medai::datasets {
namespace {

using nlohmann::json;

std::string annotation_label(const ImagingSeries& s) {
  std::set<std::string> kinds;
  for (const auto& a : s.annotations) kinds.insert(a.kind);
  if (kinds.empty()) return "none";
  std::string out;
  for (const auto& k : kinds) out += (out.empty() ? "" : "+") + k;
  return out;
}

Result<std::vector<std::string>> string_list(const json& j, const char* field, std::size_t max_items) {
  std::vector<std::string> out;
  if (!j.contains(field)) return out;
  const json& v = j[field];
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_string())
        return make_error(ErrorCode::invalid_argument, std::string(field) + " must hold strings", {{"field", field}});
      out.push_back(e.get<std::string>());
    }
  } else {
    return make_error(ErrorCode::invalid_argument, std::string(field) + " must be a string or a list",
                      {{"field", field}});
  }
  if (out.size() > max_items)
    return make_error(ErrorCode::invalid_argument, std::string(field) + " has too many values", {{"field", field}});
  for (const auto& s : out)
    if (s.empty() || s.size() > 64)
      return make_error(ErrorCode::invalid_argument, std::string(field) + " values must be 1..64 characters",
                        {{"field", field}});
  return out;
}

}  // namespace

Result<ImagingSelection> imaging_selection_from_json(const json& j) {
  if (!j.is_object()) return make_error(ErrorCode::invalid_argument, "selection must be an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const std::set<std::string> known = {"study_uids", "modality", "body_part", "study_date", "max_series"};
    if (!known.count(it.key()))
      return make_error(ErrorCode::invalid_argument, "unknown field selection." + it.key());
  }
  ImagingSelection sel;
  MEDAI_ASSIGN_OR_RETURN(sel.study_uids, string_list(j, "study_uids", 100000));
  MEDAI_ASSIGN_OR_RETURN(sel.modalities, string_list(j, "modality", 20));
  for (const char* f : {"body_part", "study_date"}) {
    if (!j.contains(f)) continue;
    if (!j[f].is_string() || j[f].get<std::string>().size() > 64)
      return make_error(ErrorCode::invalid_argument, std::string("selection.") + f + " must be a short string");
    (std::string(f) == "body_part" ? sel.body_part : sel.study_date) = j[f].get<std::string>();
  }
  if (j.contains("max_series")) {
    if (!j["max_series"].is_number_integer() || j["max_series"].get<std::int64_t>() < 1 ||
        j["max_series"].get<std::int64_t>() > 100000)
      return make_error(ErrorCode::invalid_argument, "selection.max_series must be 1..100000");
    sel.max_series = j["max_series"].get<std::int64_t>();
  }
  if (sel.study_uids.empty() && sel.modalities.empty())
    return make_error(ErrorCode::invalid_argument, "selection needs study_uids or modality");
  return sel;
}

Result<ImagingContent> build_imaging_content(std::vector<ImagingSeries> series, const ImagingSpec& spec) {
  MEDAI_RETURN_IF_ERROR(validate(spec.split));
  if (series.empty()) return make_error(ErrorCode::invalid_argument, "the selection matches no image series");
  // Canonical order, whatever order the index returned.
  std::sort(series.begin(), series.end(), [](const ImagingSeries& a, const ImagingSeries& b) {
    return std::tie(a.study_uid, a.series_uid) < std::tie(b.study_uid, b.series_uid);
  });
  std::size_t unlabelled = 0, unannotated = 0;
  std::vector<std::string> labels, groups;
  for (const auto& s : series) {
    std::string label;
    if (!spec.labels.empty()) {
      if (auto it = spec.labels.find(s.series_uid); it != spec.labels.end()) label = it->second;
      else if (auto st = spec.labels.find(s.study_uid); st != spec.labels.end()) label = st->second;
      else ++unlabelled;
    } else {
      label = annotation_label(s);
    }
    if (s.annotations.empty()) ++unannotated;
    labels.push_back(label);
    groups.push_back(s.patient_id);
  }
  if (unlabelled > 0)
    return make_error(ErrorCode::invalid_argument, "some selected series have no label",
                      {{"unlabelled_series", unlabelled}});
  if (spec.require_annotations && unannotated > 0)
    return make_error(ErrorCode::invalid_argument, "some selected series have no SEG, RTSTRUCT or SR",
                      {{"unannotated_series", unannotated}});
  const std::vector<Split> splits = assign_splits(labels, groups, spec.split);

  ImagingContent out;
  json manifest = json::array();
  json per_split = json::object();
  json per_label = json::object();
  std::set<std::string> patients, studies;
  std::int64_t instances = 0;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    json annotations = json::array();
    for (const auto& a : s.annotations)
      annotations.push_back({{"kind", a.kind}, {"series_uid", a.series_uid}, {"sop_instance_uid", a.sop_instance_uid}});
    json ref = {{"study_uid", s.study_uid}, {"series_uid", s.series_uid}, {"modality", s.modality},
                {"body_part", s.body_part}, {"instances", s.instances}, {"annotations", annotations}};
    const std::string split(split_name(splits[i]));
    manifest.push_back({{"ref", ref}, {"label", labels[i]}, {"split", split}});
    out.items.push_back({s.patient_id, labels[i], splits[i], ref});
    auto bump = [](json& counts, const std::string& key) {
      counts[key] = (counts.contains(key) ? counts[key].get<std::int64_t>() : 0) + 1;
    };
    bump(per_split, split);
    if (!per_label.contains(labels[i])) per_label[labels[i]] = json::object();
    bump(per_label[labels[i]], split);
    patients.insert(s.patient_id);
    studies.insert(s.study_uid);
    instances += s.instances;
  }
  out.manifest = manifest.dump();
  out.schema = {{"kind", "imaging"},
                {"item", "series"},
                {"label_source", spec.labels.empty() ? "annotations" : "label_table"}};
  out.split = {{"method", "stratified"}, {"group", "patient"},     {"train", spec.split.train},
               {"validation", spec.split.validation},                {"test", spec.split.test},
               {"seed", spec.split.seed}};
  out.stats = {{"items", series.size()},   {"patients", patients.size()}, {"studies", studies.size()},
               {"instances", instances},   {"splits", per_split},         {"labels", per_label},
               {"annotated_series", series.size() - unannotated}};
  return out;
}

}  // namespace medai::datasets

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

// The group a series is split with: its patient, or itself when it has none.
std::string split_group_key(const ImagingSeries& s) {
  return s.patient_id.empty() ? "series:" + s.series_uid : s.patient_id;
}

// What a new version added and removed compared with the previous one.
json changes_since(const PreviousImagingVersion& previous, const std::vector<ImagingSeries>& series,
                   const std::vector<Split>& splits, const std::vector<std::string>& groups) {
  json added = json::array(), removed = json::array();
  std::size_t n_added = 0, n_removed = 0, kept = 0, new_patients = 0;
  json added_per_split = {{"train", 0}, {"validation", 0}, {"test", 0}};
  std::set<std::string> current, counted_patients;
  for (std::size_t i = 0; i < series.size(); ++i) {
    current.insert(series[i].series_uid);
    if (previous.series.count(series[i].series_uid)) {
      ++kept;
      continue;
    }
    ++n_added;
    const std::string split(split_name(splits[i]));
    added_per_split[split] = added_per_split[split].get<std::int64_t>() + 1;
    if (!previous.patient_splits.count(groups[i]) && counted_patients.insert(groups[i]).second) ++new_patients;
    if (added.size() < kMaxListedChanges)
      added.push_back({{"study_uid", series[i].study_uid}, {"series_uid", series[i].series_uid}, {"split", split}});
  }
  for (const auto& [uid, where] : previous.series) {
    if (current.count(uid)) continue;
    ++n_removed;
    if (removed.size() < kMaxListedChanges)
      removed.push_back({{"study_uid", where.first}, {"series_uid", uid}, {"split", split_name(where.second)}});
  }
  return {{"previous_version", previous.version},
          {"kept_series", kept},
          {"added_series", n_added},
          {"removed_series", n_removed},
          {"new_patients", new_patients},
          {"added_per_split", added_per_split},
          {"added", added},
          {"removed", removed},
          {"listed_at_most", kMaxListedChanges}};
}

}  // namespace

Result<ImagingSelection> imaging_selection_from_json(const json& j, bool needs_filter) {
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
  if (needs_filter && sel.study_uids.empty() && sel.modalities.empty())
    return make_error(ErrorCode::invalid_argument, "selection needs study_uids or modality");
  return sel;
}

json imaging_selection_to_json(const ImagingSelection& sel) {
  json j = json::object();
  if (!sel.study_uids.empty()) j["study_uids"] = sel.study_uids;
  if (!sel.modalities.empty()) j["modality"] = sel.modalities;
  if (!sel.body_part.empty()) j["body_part"] = sel.body_part;
  if (!sel.study_date.empty()) j["study_date"] = sel.study_date;
  j["max_series"] = sel.max_series;
  return j;
}

Result<ImagingContent> build_imaging_content(std::vector<ImagingSeries> series, const ImagingSpec& spec,
                                             const PreviousImagingVersion* previous) {
  MEDAI_RETURN_IF_ERROR(validate(spec.split));
  if (series.empty()) return make_error(ErrorCode::invalid_argument, "the selection matches no image series");
  // Canonical order, whatever order the index returned.
  std::sort(series.begin(), series.end(), [](const ImagingSeries& a, const ImagingSeries& b) {
    return std::tie(a.study_uid, a.series_uid) < std::tie(b.study_uid, b.series_uid);
  });
  std::size_t unlabelled = 0, unannotated = 0;
  std::vector<std::string> labels, groups;
  // A label table given now, or the previous version's (series keep their labels).
  const bool previous_table = previous && previous->label_table;
  const bool label_table = !spec.labels.empty() || previous_table;
  for (const auto& s : series) {
    std::string label;
    if (label_table) {
      if (auto it = spec.labels.find(s.series_uid); it != spec.labels.end()) label = it->second;
      else if (auto st = spec.labels.find(s.study_uid); st != spec.labels.end()) label = st->second;
      else if (previous_table && previous->series_labels.count(s.series_uid))
        label = previous->series_labels.at(s.series_uid);
      else ++unlabelled;
    } else {
      label = annotation_label(s);
    }
    if (s.annotations.empty()) ++unannotated;
    labels.push_back(label);
    groups.push_back(split_group_key(s));
  }
  if (unlabelled > 0)
    return make_error(ErrorCode::invalid_argument, "some selected series have no label",
                      {{"unlabelled_series", unlabelled}});
  if (spec.require_annotations && unannotated > 0)
    return make_error(ErrorCode::invalid_argument, "some selected series have no SEG, RTSTRUCT or SR",
                      {{"unannotated_series", unannotated}});
  const std::vector<Split> splits = previous ? assign_splits_keeping(labels, groups, spec.split, previous->patient_splits)
                                             : assign_splits(labels, groups, spec.split);

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
                {"label_source", label_table ? "label_table" : "annotations"},
                {"selection", imaging_selection_to_json(spec.selection)},
                {"require_annotations", spec.require_annotations}};
  out.split = {{"method", "stratified"}, {"group", "patient"},     {"train", spec.split.train},
               {"validation", spec.split.validation},                {"test", spec.split.test},
               {"seed", spec.split.seed}};
  out.stats = {{"items", series.size()},   {"patients", patients.size()}, {"studies", studies.size()},
               {"instances", instances},   {"splits", per_split},         {"labels", per_label},
               {"annotated_series", series.size() - unannotated}};
  if (previous) out.stats["changes"] = changes_since(*previous, series, splits, groups);
  return out;
}

}  // namespace medai::datasets

#pragma once
// Turns a selection of stored image series into the content of an imaging
// dataset version: one item per image series (the patient is the group, so a
// patient's series stay in one split), its label (from a label table keyed
// by series or study UID, or else which annotation objects — SEG, RTSTRUCT,
// SR — reference it), the split, and the statistics `show` reports. Pure: no
// storage; imaging_selection.h reads the DICOM index.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "datasets/split.h"

namespace medai::datasets {

// A SEG / RTSTRUCT / SR instance in the same study that references an image series.
struct AnnotationRef {
  std::string kind;  // "SEG" | "RTSTRUCT" | "SR"
  std::string series_uid;
  std::string sop_instance_uid;
};

struct ImagingSeries {
  std::string patient_id;  // group key; stays in the catalog, never exported
  std::string study_uid;
  std::string series_uid;
  std::string modality;
  std::string body_part;
  std::int64_t instances = 0;
  std::vector<AnnotationRef> annotations;
};

// Which stored series to take (from the institution that owns the dataset).
// Empty fields do not filter; at least one of study_uids / modalities must be set.
struct ImagingSelection {
  std::vector<std::string> study_uids;
  std::vector<std::string> modalities;  // image modalities, e.g. CT, MG
  std::string body_part;                // Body Part Examined, exact
  std::string study_date;               // DA or range "a-b", "a-", "-b"
  std::int64_t max_series = 10000;
};

struct ImagingSpec {
  ImagingSelection selection;
  // Labels by series UID or study UID (series wins). When empty, an item's
  // label is the sorted list of annotation kinds that reference it
  // ("SEG", "RTSTRUCT+SEG", …) or "none".
  std::map<std::string, std::string> labels;
  bool require_annotations = false;  // refuse series without any annotation
  SplitSpec split;
};

// The previous version of the dataset when a new one is made: patients keep
// their split, series keep their label-table label, and the new version
// reports what changed.
struct PreviousImagingVersion {
  std::int64_t version = 0;
  bool label_table = false;  // its labels came from a label table (else from annotations)
  std::map<std::string, Split> patient_splits;  // patient id (or "series:" + UID when none) → split
  std::map<std::string, std::string> series_labels;            // series UID → label
  std::map<std::string, std::pair<std::string, Split>> series;  // series UID → (study UID, split)
};

struct ImagingItem {
  std::string group;  // patient id
  std::string label;
  Split split = Split::train;
  nlohmann::json ref;  // {"study_uid","series_uid","modality","body_part","instances","annotations":[...]}
};

struct ImagingContent {
  std::vector<ImagingItem> items;
  std::string manifest;  // canonical JSON of the items without patient ids (the version's content blob)
  nlohmann::json schema;
  nlohmann::json split;
  nlohmann::json stats;
};

// invalid_argument when nothing was selected, labels are given but some item
// has none, or annotations are required but missing (the message counts the
// items, never names a patient).
// With `previous`, patients already in a split stay there (only new patients
// are assigned, stratified and seeded), a label table may leave out series
// the previous version labelled (they keep their label), and stats.changes
// lists the series added and removed (study and series UIDs, at most
// kMaxListedChanges each) with counts.
Result<ImagingContent> build_imaging_content(std::vector<ImagingSeries> series, const ImagingSpec& spec,
                                             const PreviousImagingVersion* previous = nullptr);
inline constexpr std::size_t kMaxListedChanges = 500;

// The selection as stored with a version (schema.selection), so a new version can re-run it.
nlohmann::json imaging_selection_to_json(const ImagingSelection& selection);

// Parses {"study_uids":[…], "modality":[…], "body_part", "study_date", "max_series"}.
// needs_filter: study_uids or modality must be given (not for an import
// folder, whose studies are the selection).
Result<ImagingSelection> imaging_selection_from_json(const nlohmann::json& j, bool needs_filter = true);

}  // namespace medai::datasets

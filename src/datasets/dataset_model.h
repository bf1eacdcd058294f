#pragma once
// Dataset records as the rest of the platform sees them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace medai::datasets {

struct Dataset {
  std::string id;
  std::string institution_id;
  std::string name;
  std::string description;
  std::string kind;        // "tabular" | "imaging"
  std::string visibility;  // "institution" | "public"
  std::string data_use;
  std::string licence;
  std::string source;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t latest_version = 0;
  // The latest version at a glance (what list pages show without fetching
  // every version): its state, item count and items per split.
  std::string latest_state;
  std::int64_t latest_items = 0;
  std::int64_t latest_train = 0, latest_validation = 0, latest_test = 0;
};

struct DatasetVersion {
  std::string dataset_id;
  std::int64_t version = 0;
  std::string state;  // "draft" | "frozen"
  std::string content_sha256;
  std::int64_t content_bytes = 0;
  nlohmann::json schema;  // {"columns": [{"name", "type"}], "label_column", "group_column"}
  nlohmann::json split;   // {"method": "stratified"|"column", ...}
  nlohmann::json stats;   // {"items", "splits": {...}, "labels": {...}, "columns": [...]}
  std::int64_t item_count = 0;
  std::string created_by;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> frozen_at;
};

nlohmann::json to_json(const Dataset& d);
nlohmann::json to_json(const DatasetVersion& v);

}  // namespace medai::datasets

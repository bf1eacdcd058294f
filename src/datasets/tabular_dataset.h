#pragma once
// Turns an uploaded table into the content of a dataset version: column
// types, the split of every row (stratified by the label, grouped by the
// patient column), and the statistics `show` reports. Pure: no storage.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "datasets/csv_table.h"
#include "datasets/split.h"

namespace medai::datasets {

struct TabularSpec {
  std::string label_column;                // required: the target
  std::optional<std::string> group_column; // patient id; rows of one patient stay together
  // Either a computed split, or a column holding train/validation/test per
  // row (a published split, e.g. Pima.tr/Pima.te); the column is removed from
  // the stored table and kept as each row's split.
  SplitSpec split;
  std::optional<std::string> split_column;
};

struct TabularItem {
  std::string group;
  std::string label;
  Split split = Split::train;
};

struct TabularContent {
  CsvTable table;  // canonical table (split column removed)
  std::vector<TabularItem> items;
  nlohmann::json schema;
  nlohmann::json split;
  nlohmann::json stats;
};

// invalid_argument when the label/group/split columns are missing, a label
// is missing, or a split value is unknown.
Result<TabularContent> build_tabular_content(CsvTable table, const TabularSpec& spec);

}  // namespace medai::datasets

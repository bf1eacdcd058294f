#include "datasets/tabular_dataset.h"

#include <cmath>
#include <limits>
#include <map>

namespace medai::datasets {
namespace {

using nlohmann::json;

Result<int> required_column(const CsvTable& t, const std::string& name, const char* role) {
  int c = t.column(name);
  if (c < 0)
    return make_error(ErrorCode::invalid_argument, std::string(role) + " column '" + name + "' is not in the table",
                      {{"column", name}});
  return c;
}

// Numeric when every present value parses as a number; else categorical.
json column_summary(const CsvTable& t, std::size_t c) {
  std::size_t missing = 0, numeric = 0;
  double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::map<std::string, std::int64_t> levels;
  for (const auto& row : t.rows) {
    const std::string& cell = row[c];
    if (is_missing(cell)) {
      ++missing;
      continue;
    }
    if (auto v = parse_number(cell)) {
      ++numeric;
      sum += *v;
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
    }
    if (levels.size() <= 50) ++levels[cell];
  }
  const std::size_t present = t.rows.size() - missing;
  json out = {{"name", t.header[c]}, {"missing", missing}};
  if (present > 0 && numeric == present) {
    out["type"] = "number";
    out["min"] = lo;
    out["max"] = hi;
    out["mean"] = sum / static_cast<double>(present);
  } else {
    out["type"] = "category";
    if (levels.size() <= 50) out["levels"] = levels;
  }
  return out;
}

}  // namespace

Result<TabularContent> build_tabular_content(CsvTable table, const TabularSpec& spec) {
  if (table.rows.empty()) return make_error(ErrorCode::invalid_argument, "the table has no rows");
  MEDAI_ASSIGN_OR_RETURN(int label_col, required_column(table, spec.label_column, "label"));
  int group_col = -1;
  if (spec.group_column) {
    MEDAI_ASSIGN_OR_RETURN(group_col, required_column(table, *spec.group_column, "group"));
  }
  std::vector<Split> splits;
  json split_doc;
  if (spec.split_column) {
    MEDAI_ASSIGN_OR_RETURN(int split_col, required_column(table, *spec.split_column, "split"));
    if (split_col == label_col || split_col == group_col)
      return make_error(ErrorCode::invalid_argument, "the split column must differ from the label and group columns");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      auto s = split_from_name(table.rows[r][split_col]);
      if (!s)
        return make_error(ErrorCode::invalid_argument,
                          "row " + std::to_string(r + 1) + ": " + s.status().message(), {{"row", r + 1}});
      splits.push_back(*s);
    }
    table.header.erase(table.header.begin() + split_col);
    for (auto& row : table.rows) row.erase(row.begin() + split_col);
    if (label_col > split_col) --label_col;
    if (group_col > split_col) --group_col;
    split_doc = {{"method", "column"}, {"column", *spec.split_column}};
  }
  std::vector<std::string> labels, groups;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::string& label = table.rows[r][label_col];
    if (is_missing(label))
      return make_error(ErrorCode::invalid_argument, "row " + std::to_string(r + 1) + " has no label",
                        {{"row", r + 1}});
    labels.push_back(label);
    groups.push_back(group_col >= 0 ? table.rows[r][group_col] : std::string());
  }
  if (!spec.split_column) {
    MEDAI_RETURN_IF_ERROR(validate(spec.split));
    splits = assign_splits(labels, groups, spec.split);
    split_doc = {{"method", "stratified"},
                 {"by", group_col >= 0 ? "group" : "row"},
                 {"train", spec.split.train},
                 {"validation", spec.split.validation},
                 {"test", spec.split.test},
                 {"seed", spec.split.seed}};
  }
  TabularContent out;
  json columns = json::array();
  for (std::size_t c = 0; c < table.header.size(); ++c) columns.push_back(column_summary(table, c));
  json split_counts = {{"train", 0}, {"validation", 0}, {"test", 0}};
  json label_counts = json::object();
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    out.items.push_back({groups[r], labels[r], splits[r]});
    const std::string s(split_name(splits[r]));
    split_counts[s] = split_counts[s].get<std::int64_t>() + 1;
    json& per_label = label_counts[labels[r]];
    if (per_label.is_null()) per_label = {{"train", 0}, {"validation", 0}, {"test", 0}};
    per_label[s] = per_label[s].get<std::int64_t>() + 1;
  }
  json schema_columns = json::array();
  for (const auto& c : columns) schema_columns.push_back({{"name", c["name"]}, {"type", c["type"]}});
  out.schema = {{"columns", schema_columns}, {"label_column", spec.label_column}};
  if (spec.group_column) out.schema["group_column"] = *spec.group_column;
  out.split = split_doc;
  out.stats = {{"items", table.rows.size()}, {"splits", split_counts}, {"labels", label_counts}, {"columns", columns}};
  out.table = std::move(table);
  return out;
}

}  // namespace medai::datasets

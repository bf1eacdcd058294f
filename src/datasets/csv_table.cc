#include "datasets/csv_table.h"

#include <charconv>
#include <cmath>
#include <set>

namespace medai::datasets {

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

bool is_missing(std::string_view cell) { return cell.empty() || cell == "NA" || cell == "NaN" || cell == "?"; }

std::optional<double> parse_number(std::string_view cell) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (cell.empty() || ec != std::errc() || ptr != cell.data() + cell.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

Result<CsvTable> parse_csv(std::string_view text, const CsvLimits& limits) {
  CsvTable table;
  std::vector<std::string> record;
  std::string field;
  std::size_t line = 1, record_line = 1;
  bool in_quotes = false, field_started = false, any_in_record = false;
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_argument, "CSV line " + std::to_string(record_line) + ": " + why,
                      {{"line", record_line}});
  };
  auto end_field = [&]() -> Status {
    if (field.size() > limits.max_field_bytes) return bad("field longer than the limit");
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
    if (record.size() > limits.max_columns) return bad("more columns than the limit");
    return Status::ok();
  };
  auto end_record = [&]() -> Status {
    MEDAI_RETURN_IF_ERROR(end_field());
    if (table.header.empty()) {
      std::set<std::string> seen;
      for (const auto& h : record) {
        if (h.empty()) return bad("empty column name in the header");
        if (!seen.insert(h).second) return bad("duplicate column name '" + h + "'");
      }
      table.header = std::move(record);
    } else {
      if (record.size() != table.header.size())
        return bad("has " + std::to_string(record.size()) + " cells, the header has " +
                   std::to_string(table.header.size()));
      if (table.rows.size() >= limits.max_rows) return bad("more rows than the limit");
      table.rows.push_back(std::move(record));
    }
    record.clear();
    any_in_record = false;
    record_line = line;
    return Status::ok();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (field_started) return bad("quote inside an unquoted field");
      in_quotes = true;
      field_started = any_in_record = true;
    } else if (c == ',') {
      MEDAI_RETURN_IF_ERROR(end_field());
      any_in_record = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      if (any_in_record || field_started || !field.empty()) {
        MEDAI_RETURN_IF_ERROR(end_record());
      } else {
        record_line = line;  // blank line
      }
    } else {
      field.push_back(c);
      field_started = any_in_record = true;
    }
  }
  if (in_quotes) return bad("unterminated quoted field");
  if (any_in_record || field_started || !field.empty()) MEDAI_RETURN_IF_ERROR(end_record());
  if (table.header.empty()) return make_error(ErrorCode::invalid_argument, "CSV has no header line");
  return table;
}

namespace {
void write_field(std::string& out, const std::string& f) {
  if (f.find_first_of(",\"\r\n") == std::string::npos) {
    out += f;
    return;
  }
  out.push_back('"');
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}
void write_record(std::string& out, const std::vector<std::string>& record) {
  for (std::size_t i = 0; i < record.size(); ++i) {
    if (i) out.push_back(',');
    write_field(out, record[i]);
  }
  out.push_back('\n');
}
}  // namespace

std::string to_csv(const CsvTable& table) {
  std::string out;
  write_record(out, table.header);
  for (const auto& r : table.rows) write_record(out, r);
  return out;
}

}  // namespace medai::datasets

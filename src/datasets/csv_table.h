#pragma once
// A small RFC 4180 CSV reader/writer for tabular datasets: quoted fields,
// doubled quotes, CRLF or LF line ends. Untrusted input: limits on size,
// columns and rows give clear errors instead of unbounded memory.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace medai::datasets {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() cells

  // Index of a column by name, or -1.
  int column(std::string_view name) const;
};

struct CsvLimits {
  std::size_t max_columns = 1000;
  std::size_t max_rows = 2'000'000;
  std::size_t max_field_bytes = 64 * 1024;
};

// Parses text with a header line. Every row must have as many cells as the
// header (invalid_argument naming the line otherwise). Header names must be
// non-empty and unique.
Result<CsvTable> parse_csv(std::string_view text, const CsvLimits& limits = {});

// Writes RFC 4180 CSV with LF line ends; quotes only when needed.
std::string to_csv(const CsvTable& table);

// "", "NA", "NaN" and "?" mark a missing value (R, pandas and UCI conventions).
bool is_missing(std::string_view cell);

// A cell as a finite number (the whole cell, std::from_chars syntax), or
// nullopt. What the dataset schema calls a numeric column is exactly what
// the trainers and evaluations read as numbers.
std::optional<double> parse_number(std::string_view cell);

}  // namespace medai::datasets

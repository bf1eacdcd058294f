#pragma once
// TrainingData over one table held in memory (a frozen tabular dataset
// version: the CSV without its split column, plus each row's label and
// split). The training service builds it from the catalog; tests build it
// from inline tables.
#include <string>
#include <vector>

#include "training/trainer.h"

namespace medai::training {

class TabularTrainingData final : public TrainingData {
 public:
  // items[i] belongs to row i of the table (header excluded).
  TabularTrainingData(std::string csv, std::string label_column, std::vector<Item> items)
      : csv_(std::move(csv)), label_column_(std::move(label_column)), items_(std::move(items)) {}
  std::string kind() const override { return "tabular"; }
  const std::vector<Item>& items() const override { return items_; }
  const std::string& table_csv() const override { return csv_; }
  const std::string& label_column() const override { return label_column_; }
  Result<std::vector<std::filesystem::path>> series_files(const std::string&, const std::string&) const override {
    return make_error(ErrorCode::invalid_argument, "a tabular dataset has no image series");
  }

 private:
  std::string csv_, label_column_;
  std::vector<Item> items_;
};

}  // namespace medai::training

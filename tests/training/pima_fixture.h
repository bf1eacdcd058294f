#pragma once
// The Pima.tr (train, 200 rows) / Pima.te (test, 332 rows) table from
// r-cran-mass, exported with Rscript like `medai data import-reference`
// does, as TrainingData. Skips the test when R or MASS is missing.
#include <gtest/gtest.h>

#include <memory>

#include "core/process.h"
#include "datasets/csv_table.h"
#include "training/tabular_training_data.h"

namespace medai::training::testing {

inline std::unique_ptr<TabularTrainingData> load_pima() {
  auto r = run_capture({"Rscript", "-e",
                        "tr <- MASS::Pima.tr; tr$split <- 'train'; te <- MASS::Pima.te; te$split <- 'test'; "
                        "write.csv(rbind(tr, te), stdout(), row.names = FALSE)"});
  if (!r.is_ok() || r->exit_code != 0) return nullptr;
  auto table = datasets::parse_csv(r->out);
  if (!table.is_ok()) return nullptr;
  const int label = table->column("type"), split = table->column("split");
  std::vector<TrainingData::Item> items;
  for (auto& row : table->rows) {
    items.push_back({row[static_cast<std::size_t>(label)], row[static_cast<std::size_t>(split)], nullptr});
    row.erase(row.begin() + split);
  }
  table->header.erase(table->header.begin() + split);
  return std::make_unique<TabularTrainingData>(datasets::to_csv(*table), "type", std::move(items));
}

}  // namespace medai::training::testing

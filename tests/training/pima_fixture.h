#pragma once
// Reference tables exported with Rscript (as `medai data import-reference`
// does) as TrainingData: Pima.tr (train, 200 rows) / Pima.te (test, 332)
// from r-cran-mass, iris (multiclass) and sklearn's diabetes progression
// (regression). Callers skip their test when a table cannot be made.
#include <gtest/gtest.h>

#include <memory>

#include "core/process.h"
#include "datasets/csv_table.h"
#include "training/tabular_training_data.h"

namespace medai::training::testing {

// A table an R expression writes as CSV with a "split" column, as
// TrainingData labelled by `label_column`; nullptr when R cannot make it.
inline std::unique_ptr<TabularTrainingData> load_r_table(const std::string& r_code, const std::string& label_column) {
  auto r = run_capture({"Rscript", "-e", r_code});
  if (!r.is_ok() || r->exit_code != 0) return nullptr;
  auto table = datasets::parse_csv(r->out);
  if (!table.is_ok()) return nullptr;
  const int label = table->column(label_column), split = table->column("split");
  if (label < 0 || split < 0) return nullptr;
  std::vector<TrainingData::Item> items;
  for (auto& row : table->rows) {
    items.push_back({row[static_cast<std::size_t>(label)], row[static_cast<std::size_t>(split)], nullptr});
    row.erase(row.begin() + split);
  }
  table->header.erase(table->header.begin() + split);
  return std::make_unique<TabularTrainingData>(datasets::to_csv(*table), label_column, std::move(items));
}

inline std::unique_ptr<TabularTrainingData> load_pima() {
  return load_r_table("tr <- MASS::Pima.tr; tr$split <- 'train'; te <- MASS::Pima.te; te$split <- 'test'; "
                      "write.csv(rbind(tr, te), stdout(), row.names = FALSE)",
                      "type");
}

// Fisher's iris (R datasets): 3 species, 150 rows; every 5th row is test.
inline std::unique_ptr<TabularTrainingData> load_iris() {
  return load_r_table("d <- iris; d$split <- ifelse(seq_len(nrow(d)) %% 5 == 0, 'test', 'train'); "
                      "write.csv(d, stdout(), row.names = FALSE)",
                      "Species");
}

// Efron et al. (2004) diabetes progression, from python3-sklearn's copy:
// 442 patients, 10 baseline measures, disease progression one year later
// (a number); every 4th row is test.
inline std::unique_ptr<TabularTrainingData> load_diabetes_progression() {
  return load_r_table(
      "p <- '/usr/lib/python3/dist-packages/sklearn/datasets/data/'; "
      "x <- read.table(gzfile(paste0(p, 'diabetes_data_raw.csv.gz'))); "
      "names(x) <- c('age','sex','bmi','bp','s1','s2','s3','s4','s5','s6'); "
      "x$progression <- scan(gzfile(paste0(p, 'diabetes_target.csv.gz')), quiet = TRUE); "
      "x$split <- ifelse(seq_len(nrow(x)) %% 4 == 0, 'test', 'train'); write.csv(x, stdout(), row.names = FALSE)",
      "progression");
}

}  // namespace medai::training::testing

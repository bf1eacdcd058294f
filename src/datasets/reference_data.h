#pragma once
// Real tabular data that ships with Debian packages, imported as public,
// frozen datasets of one institution (never committed to the repository):
//   pima-diabetes-mlbench  r-cran-mlbench PimaIndiansDiabetes2 (768 rows, NA marks missing)
//   pima-diabetes-mass     r-cran-mass Pima.tr (200, train) + Pima.te (332, test): the split
//                          used for reported figures
//   breast-cancer-wisconsin python3-sklearn breast_cancer.csv (569 rows)
// The R data is exported with Rscript; licences and package versions are read
// from the installed packages and recorded with each dataset.
#include <string>
#include <vector>

#include "datasets/dataset_store.h"

namespace medai::datasets {

struct ReferenceImport {
  std::string name;
  std::string outcome;  // "imported" | "present" | "unavailable"
  std::string dataset_id;
  std::string detail;   // why unavailable (package missing, ...)
};

// Imports every reference dataset that is not already there (by name) into
// `institution_id`. A missing package makes that dataset "unavailable", not
// an error; a failing catalog is an error.
Result<std::vector<ReferenceImport>> import_reference_datasets(DatasetStore& store, const access::Principal& actor,
                                                               const std::string& institution_id);

// The sklearn CSV (first line: counts and class names, then 30 features and
// a 0/1 target) as a table with named columns and a "diagnosis" label.
Result<CsvTable> sklearn_breast_cancer_table(std::string_view csv);

}  // namespace medai::datasets

#include "datasets/reference_data.h"

#include <fstream>
#include <sstream>

#include "core/process.h"

namespace medai::datasets {
namespace {

constexpr const char* kBreastCancerCsv = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

const char* const kBreastCancerFeatures[30] = {
    "mean radius",          "mean texture",         "mean perimeter",       "mean area",
    "mean smoothness",      "mean compactness",     "mean concavity",       "mean concave points",
    "mean symmetry",        "mean fractal dimension", "radius error",       "texture error",
    "perimeter error",      "area error",           "smoothness error",     "compactness error",
    "concavity error",      "concave points error", "symmetry error",       "fractal dimension error",
    "worst radius",         "worst texture",        "worst perimeter",      "worst area",
    "worst smoothness",     "worst compactness",    "worst concavity",      "worst concave points",
    "worst symmetry",       "worst fractal dimension"};

struct Source {
  std::string table_csv;
  std::string licence;
  std::string provenance;
};

Result<std::string> rscript(const std::string& code) {
  MEDAI_ASSIGN_OR_RETURN(auto out, run_capture({"Rscript", "--vanilla", "-e", code}));
  if (out.exit_code != 0)
    return make_error(ErrorCode::not_found, "Rscript failed (is the R package installed?)",
                      {{"exit_code", out.exit_code}});
  return out.out;
}

struct RTable {
  std::string version, licence, csv;
};

// Runs R code that writes a CSV table after a first line
// "version<TAB>licence" of `package`, in one Rscript start.
Result<RTable> r_table(const std::string& package, const std::string& code) {
  MEDAI_ASSIGN_OR_RETURN(std::string out,
                         rscript("suppressMessages(library(" + package + ")); cat(as.character(packageVersion('" +
                                 package + "')), packageDescription('" + package + "')$License, sep = '\\t'); "
                                 "cat('\\n'); " + code));
  const auto eol = out.find('\n');
  const auto tab = out.find('\t');
  if (eol == std::string::npos || tab == std::string::npos || tab > eol)
    return make_error(ErrorCode::not_found, "R package " + package + " did not export its data");
  return RTable{out.substr(0, tab), out.substr(tab + 1, eol - tab - 1), out.substr(eol + 1)};
}

Result<Source> mlbench_pima() {
  MEDAI_ASSIGN_OR_RETURN(auto r, r_table("mlbench", "data(PimaIndiansDiabetes2); "
                                                    "write.csv(PimaIndiansDiabetes2, stdout(), row.names = FALSE)"));
  return Source{r.csv, "R package mlbench " + r.version + ": " + r.licence + "; data: UCI Machine Learning Repository",
                "Debian r-cran-mlbench " + r.version +
                    ", mlbench::PimaIndiansDiabetes2 (National Institute of Diabetes and Digestive and Kidney "
                    "Diseases; zeros recoded as missing)"};
}

Result<Source> mass_pima() {
  MEDAI_ASSIGN_OR_RETURN(auto r, r_table("MASS", "tr <- Pima.tr; tr$split <- 'train'; te <- Pima.te; "
                                                 "te$split <- 'test'; write.csv(rbind(tr, te), stdout(), row.names = FALSE)"));
  return Source{r.csv, "R package MASS " + r.version + ": " + r.licence,
                "Debian r-cran-mass " + r.version +
                    ", MASS::Pima.tr (train, 200) and MASS::Pima.te (test, 332); Smith et al. (1988) via Ripley "
                    "(1996)"};
}

Result<Source> sklearn_breast_cancer() {
  std::ifstream in(kBreastCancerCsv);
  if (!in) return make_error(ErrorCode::not_found, "python3-sklearn's breast_cancer.csv is not installed");
  std::stringstream ss;
  ss << in.rdbuf();
  MEDAI_ASSIGN_OR_RETURN(CsvTable table, sklearn_breast_cancer_table(ss.str()));
  std::string version = "unknown";
  if (auto v = run_capture({"dpkg-query", "-W", "-f", "${Version}", "python3-sklearn"}); v && v->exit_code == 0)
    version = v->out;
  return Source{to_csv(table),
                "scikit-learn (BSD-3-Clause); data: UCI Breast Cancer Wisconsin (Diagnostic), CC BY 4.0",
                "Debian python3-sklearn " + version + ", sklearn/datasets/data/breast_cancer.csv (Wolberg, Street, "
                                                      "Mangasarian 1995)"};
}

struct Reference {
  const char* name;
  const char* description;
  Result<Source> (*load)();
  TabularSpec spec;
};

std::vector<Reference> references() {
  TabularSpec pima_mlbench{.label_column = "diabetes"};
  TabularSpec pima_mass{.label_column = "type", .split_column = std::string("split")};
  TabularSpec breast{.label_column = "diagnosis"};
  return {
      {"pima-diabetes-mlbench",
       "Pima Indians diabetes, 768 women aged 21+, 8 routine measures (glucose, blood pressure, BMI, ...) with "
       "missing values marked; label diabetes pos/neg. Stratified 70/15/15 split, seed 1.",
       mlbench_pima, pima_mlbench},
      {"pima-diabetes-mass",
       "Pima Indians diabetes, complete cases: Pima.tr (200, train) and Pima.te (332, test) as published by "
       "Ripley; label type Yes/No. Use this split for reported figures.",
       mass_pima, pima_mass},
      {"breast-cancer-wisconsin",
       "Wisconsin diagnostic breast cancer, 569 fine-needle aspirates, 30 nucleus features; label "
       "diagnosis malignant/benign. Stratified 70/15/15 split, seed 1.",
       sklearn_breast_cancer, breast},
  };
}

}  // namespace

Result<CsvTable> sklearn_breast_cancer_table(std::string_view csv) {
  // The first line is n_samples, n_features and the class names.
  const auto eol = csv.find('\n');
  if (eol == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "unexpected breast_cancer.csv layout");
  MEDAI_ASSIGN_OR_RETURN(CsvTable raw, parse_csv(csv.substr(0, eol + 1)));
  if (raw.header.size() != 4 || raw.header[1] != "30")
    return make_error(ErrorCode::invalid_argument, "unexpected breast_cancer.csv layout");
  CsvTable t;
  for (const char* f : kBreastCancerFeatures) t.header.emplace_back(f);
  t.header.emplace_back("diagnosis");
  const std::string names[2] = {raw.header[2], raw.header[3]};
  // parse_csv demands rows as wide as the header (4); re-read the body.
  auto body = csv.substr(eol + 1);
  std::string with_header;
  for (int i = 0; i < 31; ++i) with_header += (i ? ",c" : "c") + std::to_string(i);
  with_header += "\n";
  with_header.append(body);
  MEDAI_ASSIGN_OR_RETURN(CsvTable rows, parse_csv(with_header));
  for (auto& r : rows.rows) {
    const std::string& target = r.back();
    if (target != "0" && target != "1") return make_error(ErrorCode::invalid_argument, "unexpected target value");
    r.back() = names[target == "1" ? 1 : 0];
    t.rows.push_back(std::move(r));
  }
  return t;
}

Result<std::vector<ReferenceImport>> import_reference_datasets(DatasetStore& store, const access::Principal& actor,
                                                               const std::string& institution_id) {
  std::vector<ReferenceImport> out;
  for (const auto& ref : references()) {
    ReferenceImport r{ref.name, "", "", ""};
    MEDAI_ASSIGN_OR_RETURN(auto existing, store.find(actor, institution_id, ref.name));
    if (existing) {
      r.outcome = "present";
      r.dataset_id = existing->id;
      out.push_back(r);
      continue;
    }
    auto source = ref.load();
    if (!source) {
      r.outcome = "unavailable";
      r.detail = source.status().message();
      out.push_back(r);
      continue;
    }
    NewDataset in{.name = ref.name,
                  .description = ref.description,
                  .visibility = "public",
                  .data_use = "Public reference data: research, teaching and method validation. Not for clinical "
                              "decisions.",
                  .licence = source->licence,
                  .source = source->provenance,
                  .institution_id = institution_id};
    MEDAI_ASSIGN_OR_RETURN(Dataset ds, store.create_tabular(actor, in, source->table_csv, ref.spec));
    MEDAI_RETURN_IF_ERROR(store.freeze(actor, ds.id, 1).status());
    r.outcome = "imported";
    r.dataset_id = ds.id;
    out.push_back(r);
  }
  return out;
}

}  // namespace medai::datasets

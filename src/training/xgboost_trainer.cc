// The XGBoost trainer: the only TU of medai_training with XGBoost headers.
#include "training/xgboost_trainer.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "datasets/csv_table.h"
#include "evaluation/classification_metrics.h"
#include "evaluation/multiclass_metrics.h"
#include "evaluation/regression_metrics.h"
#include "evaluation/tabular_report.h"

namespace medai::training {
namespace {

using nlohmann::json;

std::string xgb_error() {
  std::string m = XGBGetLastError();
  const auto pos = m.rfind(": ");
  if (m.rfind('[', 0) == 0 && pos != std::string::npos) m = m.substr(pos + 2);
  if (m.size() > 300) m = m.substr(0, 300) + "...";
  return m;
}

struct Params {
  int rounds = 300;
  int max_depth = 3;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample = 0.8;
  double min_child_weight = 1;
  double lambda = 1;
  double alpha = 0;
  double gamma = 0;
  int early_stopping_rounds = 30;
  std::string early_stopping_metric = "auto";  // logloss (classification) or rmse (regression)
  std::optional<double> scale_pos_weight;  // nullopt + scale_auto: negatives/positives
  bool scale_auto = false;
  std::string tree_method = "hist";
  std::optional<std::uint64_t> seed;
  double validation_fraction = 0.2;
  std::optional<std::string> positive_label;
  std::vector<std::string> exclude_columns;
  int bootstrap_resamples = 2000;

  json resolved(std::uint64_t effective_seed) const {
    json j = {{"rounds", rounds}, {"max_depth", max_depth}, {"eta", eta}, {"subsample", subsample},
              {"colsample", colsample}, {"min_child_weight", min_child_weight}, {"lambda", lambda},
              {"alpha", alpha}, {"gamma", gamma}, {"early_stopping_rounds", early_stopping_rounds},
              {"early_stopping_metric", early_stopping_metric}, {"tree_method", tree_method},
              {"seed", effective_seed}, {"validation_fraction", validation_fraction},
              {"bootstrap_resamples", bootstrap_resamples}};
    if (scale_auto) j["scale_pos_weight"] = "auto";
    else if (scale_pos_weight) j["scale_pos_weight"] = *scale_pos_weight;
    if (positive_label) j["positive_label"] = *positive_label;
    if (!exclude_columns.empty()) j["exclude_columns"] = exclude_columns;
    return j;
  }
};

// Reads every key, collecting one problem per bad or unknown field.
// `task` is "" when unknown (defaults), else classification | regression.
Params parse_params(const json& hyper, json& problems, const std::string& task = "") {
  Params p;
  auto problem = [&](const std::string& field, const std::string& message) {
    problems.push_back({{"field", field}, {"message", message}});
  };
  if (hyper.is_null()) return p;
  if (!hyper.is_object()) {
    problem("hyper", "must be an object");
    return p;
  }
  std::set<std::string> seen_targets;
  auto number = [&](const std::string& key, double lo, double hi, bool integer, bool lo_open) -> std::optional<double> {
    const auto& v = hyper.at(key);
    if (!v.is_number() || (integer && !v.is_number_integer())) {
      problem(key, integer ? "must be an integer" : "must be a number");
      return std::nullopt;
    }
    const double d = v.get<double>();
    if (!std::isfinite(d) || (lo_open ? d <= lo : d < lo) || d > hi) {
      problem(key, std::string("must be ") + (lo_open ? "> " : ">= ") + json(lo).dump() + " and <= " + json(hi).dump());
      return std::nullopt;
    }
    return d;
  };
  for (const auto& [key, value] : hyper.items()) {
    // Aliases map to one target; giving both spellings is a problem.
    static const std::map<std::string, std::string> kAliases = {
        {"n_estimators", "rounds"}, {"learning_rate", "eta"}, {"colsample_bytree", "colsample"},
        {"reg_lambda", "lambda"}, {"reg_alpha", "alpha"}};
    const auto alias = kAliases.find(key);
    const std::string target = alias == kAliases.end() ? key : alias->second;
    if (!seen_targets.insert(target).second) {
      problem(key, "given twice (also as an alias of '" + target + "')");
      continue;
    }
    if (target == "rounds") { if (auto d = number(key, 1, 10000, true, false)) p.rounds = static_cast<int>(*d); }
    else if (target == "max_depth") { if (auto d = number(key, 1, 20, true, false)) p.max_depth = static_cast<int>(*d); }
    else if (target == "eta") { if (auto d = number(key, 0, 1, false, true)) p.eta = *d; }
    else if (target == "subsample") { if (auto d = number(key, 0, 1, false, true)) p.subsample = *d; }
    else if (target == "colsample") { if (auto d = number(key, 0, 1, false, true)) p.colsample = *d; }
    else if (target == "min_child_weight") { if (auto d = number(key, 0, 1e6, false, false)) p.min_child_weight = *d; }
    else if (target == "lambda") { if (auto d = number(key, 0, 1e6, false, false)) p.lambda = *d; }
    else if (target == "alpha") { if (auto d = number(key, 0, 1e6, false, false)) p.alpha = *d; }
    else if (target == "gamma") { if (auto d = number(key, 0, 1e6, false, false)) p.gamma = *d; }
    else if (target == "early_stopping_rounds") {
      if (auto d = number(key, 0, 10000, true, false)) p.early_stopping_rounds = static_cast<int>(*d);
    } else if (target == "early_stopping_metric") {
      const bool for_classes = value == "logloss" || value == "auc", for_values = value == "rmse" || value == "mae";
      if (value == "auto" || (for_classes && task != "regression") || (for_values && task != "classification"))
        p.early_stopping_metric = value.get<std::string>();
      else if (task == "regression") problem(key, "must be \"auto\", \"rmse\" or \"mae\" for regression");
      else if (task == "classification") problem(key, "must be \"auto\", \"logloss\" or \"auc\" for classification");
      else problem(key, "must be \"auto\", \"logloss\", \"auc\", \"rmse\" or \"mae\"");
    } else if (task == "regression" && (target == "scale_pos_weight" || target == "positive_label")) {
      problem(key, "applies to classification only");
    } else if (target == "scale_pos_weight") {
      if (value == "auto") p.scale_auto = true;
      else if (auto d = number(key, 0, 1e6, false, true)) p.scale_pos_weight = *d;
    } else if (target == "tree_method") {
      if (value == "hist" || value == "exact" || value == "approx") p.tree_method = value.get<std::string>();
      else problem(key, "must be \"hist\", \"exact\" or \"approx\"");
    } else if (target == "seed") {
      if (value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0))
        p.seed = value.get<std::uint64_t>();
      else problem(key, "must be a non-negative integer");
    } else if (target == "validation_fraction") {
      if (auto d = number(key, 0.05, 0.5, false, false)) p.validation_fraction = *d;
    } else if (target == "positive_label") {
      if (value.is_string() && !value.get<std::string>().empty()) p.positive_label = value.get<std::string>();
      else problem(key, "must be a non-empty string (one of the label values)");
    } else if (target == "exclude_columns") {
      if (!value.is_array()) { problem(key, "must be an array of column names"); continue; }
      for (const auto& c : value) {
        if (c.is_string()) p.exclude_columns.push_back(c.get<std::string>());
        else { problem(key, "must be an array of column names"); break; }
      }
    } else if (target == "bootstrap_resamples") {
      if (auto d = number(key, 100, 100000, true, false)) p.bootstrap_resamples = static_cast<int>(*d);
    } else {
      problem(key, "unknown hyper-parameter for architecture xgboost");
    }
  }
  return p;
}

class DMatrix {
 public:
  DMatrix() = default;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix() { if (h_) XGDMatrixFree(h_); }
  DMatrixHandle* out() { return &h_; }
  DMatrixHandle get() const { return h_; }
 private:
  DMatrixHandle h_ = nullptr;
};

class Booster {
 public:
  Booster() = default;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  ~Booster() { if (h_) XGBoosterFree(h_); }
  BoosterHandle* out() { return &h_; }
  BoosterHandle get() const { return h_; }
 private:
  BoosterHandle h_ = nullptr;
};

// What the trees learn: one of two classes, one of K > 2 classes, or a number.
enum class Mode { binary, multiclass, regression };

// Rows of one split: features row-major; targets are class indices
// (binary: 1 = positive) or, for regression, the numbers themselves; the
// same targets as ints once, for the per-round classification metrics.
struct SplitRows {
  std::vector<float> x;
  std::vector<double> y;
  std::vector<int> class_index;
  std::size_t rows() const { return y.size(); }
  const std::vector<int>& classes() const { return class_index; }
  std::size_t distinct() const { return std::set<double>(y.begin(), y.end()).size(); }
};

Result<std::unique_ptr<DMatrix>> make_dmatrix(const SplitRows& s, std::size_t features) {
  auto m = std::make_unique<DMatrix>();
  if (XGDMatrixCreateFromMat(s.x.data(), s.rows(), features, std::numeric_limits<float>::quiet_NaN(), m->out()) != 0)
    return make_error(ErrorCode::internal, "XGBoost cannot build the feature matrix: " + xgb_error());
  std::vector<float> labels(s.y.begin(), s.y.end());
  if (XGDMatrixSetFloatInfo(m->get(), "label", labels.data(), labels.size()) != 0)
    return make_error(ErrorCode::internal, "XGBoost cannot set labels: " + xgb_error());
  return m;
}

// Binary: P(positive) per row; multiclass: rows × classes probabilities;
// regression: the predicted value per row.
Result<std::vector<double>> predict(BoosterHandle h, const DMatrix& m) {
  bst_ulong len = 0;
  const float* out = nullptr;
  if (XGBoosterPredict(h, m.get(), 0, 0, 0, &len, &out) != 0)
    return make_error(ErrorCode::internal, "XGBoost prediction failed: " + xgb_error());
  return std::vector<double>(out, out + len);
}

double binary_log_loss(const std::vector<double>& p, const std::vector<double>& y) {
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(p[i], 1e-15, 1 - 1e-15);
    sum -= y[i] == 1 ? std::log(q) : std::log(1 - q);
  }
  return p.empty() ? 0 : sum / static_cast<double>(p.size());
}

std::string pick_positive(const std::set<std::string>& labels) {
  for (const char* word : {"1", "yes", "Yes", "YES", "pos", "positive", "true", "TRUE", "True", "malignant", "M"})
    if (labels.count(word)) return word;
  return *labels.rbegin();
}

// A round's loss and validation metrics: {"loss", and "auc" or "mae"}.
struct RoundScore {
  double train_loss = 0;
  json validation;
};

Result<RoundScore> score_round(Mode mode, std::size_t classes, const std::vector<double>& train_pred,
                               const SplitRows& train, const std::vector<double>& val_pred, const SplitRows& val) {
  RoundScore r;
  switch (mode) {
    case Mode::binary: {
      MEDAI_ASSIGN_OR_RETURN(double auc, evaluation::roc_auc(val_pred, val.classes()));
      r.train_loss = binary_log_loss(train_pred, train.y);
      r.validation = {{"auc", auc}, {"loss", binary_log_loss(val_pred, val.y)}};
      break;
    }
    case Mode::multiclass: {
      MEDAI_ASSIGN_OR_RETURN(r.train_loss, evaluation::multiclass_log_loss(train_pred, train.classes(), classes));
      MEDAI_ASSIGN_OR_RETURN(double auc, evaluation::macro_auc_ovr(val_pred, val.classes(), classes));
      MEDAI_ASSIGN_OR_RETURN(double loss, evaluation::multiclass_log_loss(val_pred, val.classes(), classes));
      r.validation = {{"auc", auc}, {"loss", loss}};
      break;
    }
    case Mode::regression: {
      MEDAI_ASSIGN_OR_RETURN(auto t, evaluation::regression_metrics(train_pred, train.y));
      MEDAI_ASSIGN_OR_RETURN(auto v, evaluation::regression_metrics(val_pred, val.y));
      r.train_loss = t.rmse;
      r.validation = {{"loss", v.rmse}, {"mae", v.mae}};  // loss = RMSE
      break;
    }
  }
  return r;
}

class XGBoostTrainer final : public Trainer {
 public:
  std::string architecture() const override { return kXGBoostArchitecture; }
  std::vector<std::string> tasks() const override { return {"classification", "regression"}; }
  json defaults() const override {
    json j = Params{}.resolved(0);
    j.erase("seed");  // the request's seed unless given
    return j;
  }

  Status validate(const json& hyper) const override { return validate_for("", hyper); }
  Status validate_for(const std::string& task, const json& hyper) const override {
    json problems = json::array();
    parse_params(hyper, problems, task);
    if (!problems.empty())
      return make_error(ErrorCode::invalid_argument,
                        std::to_string(problems.size()) + " invalid hyper-parameter(s) for xgboost",
                        {{"problems", problems}});
    return Status::ok();
  }

  Result<TrainingOutcome> train(const TrainingRequest& request, const TrainingData& data,
                                TrainingSink& sink) override {
    json problems = json::array();
    Params p = parse_params(request.hyper, problems, request.task);
    if (!problems.empty())
      return make_error(ErrorCode::invalid_argument, "invalid hyper-parameters for xgboost", {{"problems", problems}});
    if (data.kind() != "tabular")
      return make_error(ErrorCode::unprocessable, "the xgboost architecture trains on tabular datasets only");
    const std::uint64_t seed = p.seed.value_or(request.seed);

    MEDAI_ASSIGN_OR_RETURN(auto table, datasets::parse_csv(data.table_csv()));
    const auto& items = data.items();
    if (table.rows.size() != items.size())
      return make_error(ErrorCode::internal, "table rows and dataset items differ in number");
    std::vector<int> feature_columns;
    json features = json::array();
    for (const auto& name : p.exclude_columns)
      if (table.column(name) < 0)
        return make_error(ErrorCode::unprocessable, "exclude_columns names a column the table does not have",
                          {{"column", name}});
    for (int c = 0; c < static_cast<int>(table.header.size()); ++c) {
      const auto& name = table.header[static_cast<std::size_t>(c)];
      if (name == data.label_column() ||
          std::find(p.exclude_columns.begin(), p.exclude_columns.end(), name) != p.exclude_columns.end())
        continue;
      feature_columns.push_back(c);
      features.push_back({{"name", name}});
    }
    if (feature_columns.empty()) return make_error(ErrorCode::unprocessable, "the table has no feature column");

    // Targets. Label values never appear in messages (only counts and rows).
    const bool regression = request.task == "regression";
    std::vector<std::string> class_names;  // index -> label value (classification)
    std::string positive;                  // binary only
    std::vector<double> target(items.size());
    Mode mode = Mode::regression;
    if (regression) {
      for (std::size_t r = 0; r < items.size(); ++r) {
        const auto d = datasets::parse_number(items[r].label);
        if (!d)
          return make_error(ErrorCode::unprocessable,
                            "regression needs a number in the label column '" + data.label_column() + "' of every row",
                            {{"row", r + 1}});
        target[r] = *d;
      }
    } else {
      std::set<std::string> label_values;
      for (const auto& it : items) label_values.insert(it.label);
      if (label_values.size() < 2)
        return make_error(ErrorCode::unprocessable, "classification needs at least 2 label values",
                          {{"label_values", label_values.size()}});
      if (label_values.size() > kMaxClasses)
        return make_error(ErrorCode::unprocessable,
                          "too many label values for classification (at most " + std::to_string(kMaxClasses) +
                              "); for a number, train task \"regression\"",
                          {{"label_values", label_values.size()}});
      if (label_values.size() == 2) {
        mode = Mode::binary;
        positive = p.positive_label.value_or(pick_positive(label_values));
        if (!label_values.count(positive))
          return make_error(ErrorCode::unprocessable, "positive_label is not one of the label values");
        const std::string negative = *label_values.begin() == positive ? *label_values.rbegin() : *label_values.begin();
        class_names = {negative, positive};
      } else {
        mode = Mode::multiclass;
        if (p.positive_label || p.scale_pos_weight || p.scale_auto)
          return make_error(ErrorCode::unprocessable,
                            "positive_label and scale_pos_weight apply to two label values; this label has " +
                                std::to_string(label_values.size()),
                            {{"label_values", label_values.size()}});
        class_names.assign(label_values.begin(), label_values.end());
      }
      for (std::size_t r = 0; r < items.size(); ++r)
        target[r] = static_cast<double>(
            std::find(class_names.begin(), class_names.end(), items[r].label) - class_names.begin());
    }
    if (p.early_stopping_metric == "auto") p.early_stopping_metric = regression ? "rmse" : "logloss";
    const std::size_t k = class_names.size();

    // Rows → per-split matrices. Cell values never appear in messages.
    const std::size_t nf = feature_columns.size();
    std::vector<std::vector<float>> row_features(items.size(), std::vector<float>(nf));
    for (std::size_t r = 0; r < items.size(); ++r)
      for (std::size_t f = 0; f < nf; ++f) {
        const std::string& cell = table.rows[r][static_cast<std::size_t>(feature_columns[f])];
        if (datasets::is_missing(cell)) {
          row_features[r][f] = std::numeric_limits<float>::quiet_NaN();
          continue;
        }
        const auto v = datasets::parse_number(cell);
        if (!v)
          return make_error(ErrorCode::unprocessable,
                            "column '" + table.header[static_cast<std::size_t>(feature_columns[f])] +
                                "' is not numeric; list it in exclude_columns or encode it as numbers",
                            {{"column", table.header[static_cast<std::size_t>(feature_columns[f])]}, {"row", r + 1}});
        row_features[r][f] = static_cast<float>(*v);
      }
    std::vector<std::size_t> train_idx, val_idx, test_idx;
    for (std::size_t r = 0; r < items.size(); ++r) {
      if (items[r].split == "train") train_idx.push_back(r);
      else if (items[r].split == "validation") val_idx.push_back(r);
      else if (items[r].split == "test") test_idx.push_back(r);
    }
    json data_summary = {{"validation_carved_from_train", val_idx.empty()}};
    if (val_idx.empty()) {
      // Stratified by class; regression rows form one stratum.
      std::vector<int> strata(items.size(), 0);
      if (!regression)
        for (std::size_t r = 0; r < items.size(); ++r) strata[r] = static_cast<int>(target[r]);
      carve_validation(strata, p.validation_fraction, seed, train_idx, val_idx);
    }
    auto rows_of = [&](const std::vector<std::size_t>& idx) {
      SplitRows s;
      for (auto r : idx) {
        s.x.insert(s.x.end(), row_features[r].begin(), row_features[r].end());
        s.y.push_back(target[r]);
      }
      s.class_index.assign(s.y.begin(), s.y.end());
      return s;
    };
    const SplitRows train = rows_of(train_idx), val = rows_of(val_idx), test = rows_of(test_idx);
    if (mode == Mode::binary && (train.distinct() < 2 || val.distinct() < 2))
      return make_error(ErrorCode::unprocessable, "the train and validation splits each need both label values",
                        {{"train_rows", train.rows()}, {"validation_rows", val.rows()}});
    if (mode == Mode::multiclass && (train.distinct() < k || val.distinct() < 2))
      return make_error(ErrorCode::unprocessable,
                        "the train split needs rows of every label value and the validation split of at least two",
                        {{"label_values", k}, {"train_label_values", train.distinct()},
                         {"validation_label_values", val.distinct()}});
    if (mode == Mode::regression && (train.distinct() < 2 || val.rows() < 2))
      return make_error(ErrorCode::unprocessable,
                        "regression needs at least 2 different label values in train and 2 validation rows",
                        {{"train_rows", train.rows()}, {"validation_rows", val.rows()}});
    data_summary["train_rows"] = train.rows();
    data_summary["validation_rows"] = val.rows();
    data_summary["test_rows"] = test.rows();
    if (mode == Mode::binary) {
      data_summary["positive_label"] = class_names[1];
      data_summary["negative_label"] = class_names[0];
    } else if (mode == Mode::multiclass) {
      data_summary["classes"] = class_names;
    } else {
      data_summary["target"] = data.label_column();
    }
    data_summary["features"] = nf;

    MEDAI_ASSIGN_OR_RETURN(auto dtrain, make_dmatrix(train, nf));
    MEDAI_ASSIGN_OR_RETURN(auto dval, make_dmatrix(val, nf));
    std::unique_ptr<DMatrix> dtest;
    if (test.rows() > 0) { MEDAI_ASSIGN_OR_RETURN(dtest, make_dmatrix(test, nf)); }

    Booster booster;
    DMatrixHandle cache[] = {dtrain->get(), dval->get()};
    if (XGBoosterCreate(cache, 2, booster.out()) != 0)
      return make_error(ErrorCode::internal, "XGBoost booster cannot be created: " + xgb_error());
    std::vector<std::pair<std::string, std::string>> params = {
        {"verbosity", "0"},
        {"max_depth", std::to_string(p.max_depth)}, {"eta", json(p.eta).dump()},
        {"subsample", json(p.subsample).dump()}, {"colsample_bytree", json(p.colsample).dump()},
        {"min_child_weight", json(p.min_child_weight).dump()}, {"lambda", json(p.lambda).dump()},
        {"alpha", json(p.alpha).dump()}, {"gamma", json(p.gamma).dump()},
        {"tree_method", p.tree_method}, {"seed", std::to_string(seed % 2147483647ULL)},
        {"nthread", std::to_string(std::max(1, request.threads))}};
    if (mode == Mode::binary) {
      const double positives = static_cast<double>(std::count(train.y.begin(), train.y.end(), 1.0));
      const double spw = p.scale_auto ? (static_cast<double>(train.rows()) - positives) / positives
                                      : p.scale_pos_weight.value_or(1.0);
      params.insert(params.end(), {{"objective", "binary:logistic"}, {"eval_metric", "logloss"},
                                   {"scale_pos_weight", json(spw).dump()}});
    } else if (mode == Mode::multiclass) {
      params.insert(params.end(), {{"objective", "multi:softprob"}, {"eval_metric", "mlogloss"},
                                   {"num_class", std::to_string(k)}});
    } else {
      params.insert(params.end(), {{"objective", "reg:squarederror"}, {"eval_metric", "rmse"}});
    }
    for (const auto& [key, v] : params)
      if (XGBoosterSetParam(booster.get(), key.c_str(), v.c_str()) != 0)
        return make_error(ErrorCode::internal, "XGBoost refused parameter " + key + ": " + xgb_error());

    json history = json::array();
    int best_round = 0;
    double best_value = 0;
    // The early-stopping value, larger is better.
    auto value_of = [&](const json& v) {
      if (p.early_stopping_metric == "auc") return v["auc"].get<double>();
      if (p.early_stopping_metric == "mae") return -v["mae"].get<double>();
      return -v["loss"].get<double>();  // logloss, or RMSE for regression
    };
    // Rates and ETA over the wall clock since the first round: a round's
    // cost includes reporting it (progress and history), not only the trees.
    const auto started = std::chrono::steady_clock::now();
    for (int round = 0; round < p.rounds; ++round) {
      if (sink.cancelled()) return make_error(ErrorCode::cancelled, "training was cancelled");
      if (XGBoosterUpdateOneIter(booster.get(), round, dtrain->get()) != 0)
        return make_error(ErrorCode::internal, "XGBoost training round failed: " + xgb_error());
      MEDAI_ASSIGN_OR_RETURN(auto train_pred, predict(booster.get(), *dtrain));
      MEDAI_ASSIGN_OR_RETURN(auto val_pred, predict(booster.get(), *dval));
      MEDAI_ASSIGN_OR_RETURN(RoundScore score, score_round(mode, k, train_pred, train, val_pred, val));
      const double value = value_of(score.validation);
      if (round == 0 || value > best_value + 1e-12) {
        best_value = value;
        best_round = round;
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double per_round = seconds / (round + 1);
      TrainingProgress progress;
      progress.epoch = round + 1;
      progress.epochs = p.rounds;
      progress.step = progress.steps = 1;
      progress.loss = score.train_loss;
      progress.validation = score.validation;
      progress.samples_per_second = per_round > 0 ? static_cast<double>(train.rows()) / per_round : 0;
      progress.eta_seconds = per_round * (p.rounds - round - 1);
      sink.report(progress);
      history.push_back({{"epoch", round + 1}, {"loss", score.train_loss}, {"validation", progress.validation}});
      if (p.early_stopping_rounds > 0 && round - best_round >= p.early_stopping_rounds) break;
    }

    // Keep the trees up to the best round: that is the exported model.
    std::error_code ec;
    std::filesystem::create_directories(request.work_dir, ec);
    if (ec) return make_error(ErrorCode::io_error, "cannot create the training work folder");
    const auto last_path = request.work_dir / "last.json";
    const auto model_path = request.work_dir / "model.json";
    if (XGBoosterSaveModel(booster.get(), last_path.c_str()) != 0)
      return make_error(ErrorCode::io_error, "cannot write the last model: " + xgb_error());
    Booster best;
    if (XGBoosterSlice(booster.get(), 0, best_round + 1, 1, best.out()) != 0)
      return make_error(ErrorCode::internal, "cannot keep the best rounds of the model: " + xgb_error());
    if (XGBoosterSaveModel(best.get(), model_path.c_str()) != 0)
      return make_error(ErrorCode::io_error, "cannot write the model: " + xgb_error());

    // The same report blocks as a tabular evaluation of the published app.
    const evaluation::TabularReportOptions report_options{.bootstrap_resamples = p.bootstrap_resamples, .seed = seed};
    json splits;
    {
      MEDAI_ASSIGN_OR_RETURN(auto vp, predict(best.get(), *dval));
      MEDAI_ASSIGN_OR_RETURN(splits["validation"], evaluation::tabular_report(vp, val.y, class_names, report_options));
    }
    // A test split of one class has no AUC (binary); multiclass reports
    // what it can.
    if (dtest && (mode != Mode::binary || test.distinct() == 2)) {
      MEDAI_ASSIGN_OR_RETURN(auto tp, predict(best.get(), *dtest));
      MEDAI_ASSIGN_OR_RETURN(splits["test"], evaluation::tabular_report(tp, test.y, class_names, report_options));
    }

    TrainingOutcome out;
    out.model_artifact = model_path;
    out.runtime = "xgboost";
    json output;
    if (mode == Mode::regression) {
      output = {{"labels", json::array()}, {"prediction", "value"},
                {"units", data.label_column().substr(0, 64)}};
    } else {
      json labels = json::array();
      for (std::size_t c = 0; c < k; ++c) labels.push_back({{"value", c}, {"name", class_names[c]}});
      output = {{"labels", labels}, {"prediction", "class-probabilities"},
                {"units", mode == Mode::binary ? ("probability of " + class_names[1]).substr(0, 64)
                                               : std::string("probability per class")}};
    }
    out.manifest_fragment = {{"input", {{"kind", "tabular"}, {"features", features}}},
                             {"output", output},
                             {"pipeline", json::object()}};
    out.report = {{"task", regression ? "regression" : "classification"},
                  {"splits", splits},
                  {"history", history},
                  {"best_epoch", best_round + 1},
                  {"rounds_trained", static_cast<int>(history.size())},
                  {"hyper", p.resolved(seed)},
                  {"data", data_summary}};
    return out;
  }

 private:
  static constexpr std::size_t kMaxClasses = 100;

  // Seeded and stratified: the same fraction of each stratum (class) moves
  // from train to validation, at least one row of a stratum with two rows.
  static void carve_validation(const std::vector<int>& strata, double fraction, std::uint64_t seed,
                               std::vector<std::size_t>& train, std::vector<std::size_t>& val) {
    std::mt19937_64 rng(seed ^ 0x5eed5eedULL);
    std::map<int, std::vector<std::size_t>> by_stratum;
    for (auto r : train) by_stratum[strata[r]].push_back(r);
    train.clear();
    for (auto& [stratum, rows] : by_stratum) {
      for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng() % i]);
      std::size_t take = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(rows.size())));
      if (take == 0 && rows.size() >= 2) take = 1;
      val.insert(val.end(), rows.begin(), rows.begin() + static_cast<long>(take));
      train.insert(train.end(), rows.begin() + static_cast<long>(take), rows.end());
    }
    std::sort(train.begin(), train.end());
    std::sort(val.begin(), val.end());
  }
};

}  // namespace

std::unique_ptr<Trainer> make_xgboost_trainer() { return std::make_unique<XGBoostTrainer>(); }

void register_xgboost_trainer(TrainerRegistry& registry) {
  registry.add(kXGBoostArchitecture, [] { return make_xgboost_trainer(); });
}

}  // namespace medai::training

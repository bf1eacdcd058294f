#include "evaluation/multiclass_metrics.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "evaluation/bootstrap.h"
#include "evaluation/classification_metrics.h"

namespace medai::evaluation {
namespace {

Status check(const std::vector<double>& probabilities, const std::vector<int>& labels, std::size_t classes) {
  if (classes < 2) return make_error(ErrorCode::invalid_argument, "a classifier needs at least 2 classes");
  if (labels.empty()) return make_error(ErrorCode::invalid_argument, "no cases to evaluate");
  if (probabilities.size() != labels.size() * classes)
    return make_error(ErrorCode::invalid_argument, "probabilities are not cases × classes",
                      {{"probabilities", probabilities.size()}, {"cases", labels.size()}, {"classes", classes}});
  for (std::size_t i = 0; i < probabilities.size(); ++i)
    if (!std::isfinite(probabilities[i]))
      return make_error(ErrorCode::invalid_argument, "a probability is not a finite number", {{"index", i / classes}});
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] < 0 || static_cast<std::size_t>(labels[i]) >= classes)
      return make_error(ErrorCode::invalid_argument, "a label is not a class index", {{"index", i}});
  return Status::ok();
}

std::vector<int> argmax_rows(const std::vector<double>& p, std::size_t k) {
  std::vector<int> out(p.size() / k);
  for (std::size_t r = 0; r < out.size(); ++r) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < k; ++c)
      if (p[r * k + c] > p[r * k + best]) best = c;
    out[r] = static_cast<int>(best);
  }
  return out;
}

// One-vs-rest AUC of class c, or NaN when c has no case or every case is c.
double ovr_auc(const std::vector<double>& p, const std::vector<int>& labels, std::size_t k, std::size_t c) {
  std::vector<double> scores(labels.size());
  std::vector<int> is_c(labels.size());
  for (std::size_t r = 0; r < labels.size(); ++r) {
    scores[r] = p[r * k + c];
    is_c[r] = labels[r] == static_cast<int>(c) ? 1 : 0;
  }
  auto auc = roc_auc(scores, is_c);
  return auc ? *auc : std::nan("");
}

double mean_finite(const std::vector<double>& v) {
  double sum = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) { sum += x; ++n; }
  return n ? sum / n : std::nan("");
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& labels) {
  std::size_t hits = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) hits += predicted[i] == labels[i];
  return static_cast<double>(hits) / static_cast<double>(labels.size());
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

Result<std::vector<int>> predicted_classes(const std::vector<double>& probabilities, std::size_t classes) {
  if (classes == 0 || probabilities.size() % classes != 0)
    return make_error(ErrorCode::invalid_argument, "probabilities are not cases × classes");
  return argmax_rows(probabilities, classes);
}

Result<double> macro_auc_ovr(const std::vector<double>& probabilities, const std::vector<int>& labels,
                             std::size_t classes) {
  MEDAI_RETURN_IF_ERROR(check(probabilities, labels, classes));
  std::vector<double> aucs;
  for (std::size_t c = 0; c < classes; ++c) aucs.push_back(ovr_auc(probabilities, labels, classes, c));
  const double m = mean_finite(aucs);
  if (!std::isfinite(m))
    return make_error(ErrorCode::invalid_argument, "the AUC needs cases of at least two classes");
  return m;
}

Result<double> multiclass_log_loss(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                   std::size_t classes) {
  MEDAI_RETURN_IF_ERROR(check(probabilities, labels, classes));
  double sum = 0;
  for (std::size_t r = 0; r < labels.size(); ++r)
    sum -= std::log(std::clamp(probabilities[r * classes + static_cast<std::size_t>(labels[r])], 1e-15, 1.0));
  return sum / static_cast<double>(labels.size());
}

Result<nlohmann::json> multiclass_report(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                         const std::vector<std::string>& class_names,
                                         const MulticlassOptions& options) {
  const std::size_t k = class_names.size();
  MEDAI_RETURN_IF_ERROR(check(probabilities, labels, k));
  MEDAI_RETURN_IF_ERROR(check_bootstrap(options.bootstrap_resamples, options.ci_level));
  const std::size_t n = labels.size();
  const std::vector<int> predicted = argmax_rows(probabilities, k);

  std::vector<std::vector<std::int64_t>> confusion(k, std::vector<std::int64_t>(k, 0));
  for (std::size_t i = 0; i < n; ++i) confusion[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(predicted[i])]++;

  nlohmann::json per_class = nlohmann::json::array();
  std::vector<double> recalls, f1s, aucs;
  for (std::size_t c = 0; c < k; ++c) {
    std::int64_t support = 0, called = 0;
    for (std::size_t j = 0; j < k; ++j) {
      support += confusion[c][j];
      called += confusion[j][c];
    }
    const double tp = static_cast<double>(confusion[c][c]);
    const double precision = called ? tp / static_cast<double>(called) : 0;
    const double recall = support ? tp / static_cast<double>(support) : std::nan("");
    const double f1 = support ? (precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0)
                              : std::nan("");
    const double auc = ovr_auc(probabilities, labels, k, c);
    recalls.push_back(recall);
    f1s.push_back(f1);
    aucs.push_back(auc);
    per_class.push_back({{"name", class_names[c]}, {"support", support}, {"predicted", called},
                         {"precision", precision}, {"recall", finite_or_null(recall)}, {"f1", finite_or_null(f1)},
                         {"auc", finite_or_null(auc)}});
  }
  const double macro_auc = mean_finite(aucs);
  const double acc = accuracy(predicted, labels);

  // Stratified bootstrap: each resample keeps every class's count of cases.
  std::vector<std::vector<std::size_t>> by_class(k);
  for (std::size_t i = 0; i < n; ++i) by_class[static_cast<std::size_t>(labels[i])].push_back(i);
  std::mt19937_64 rng(options.seed);
  std::vector<double> boot_acc, boot_auc;
  std::vector<double> p(probabilities.size());
  std::vector<int> y(n), yhat(n);
  for (int r = 0; r < options.bootstrap_resamples; ++r) {
    std::size_t o = 0;
    for (const auto& rows : by_class)
      for (std::size_t i = 0; i < rows.size(); ++i, ++o) {
        const std::size_t src = rows[draw_index(rng, rows.size())];
        y[o] = labels[src];
        yhat[o] = predicted[src];
        std::copy_n(probabilities.begin() + static_cast<std::ptrdiff_t>(src * k), k,
                    p.begin() + static_cast<std::ptrdiff_t>(o * k));
      }
    boot_acc.push_back(accuracy(yhat, y));
    if (std::isfinite(macro_auc)) {
      std::vector<double> a;
      for (std::size_t c = 0; c < k; ++c) a.push_back(ovr_auc(p, y, k, c));
      boot_auc.push_back(mean_finite(a));
    }
  }
  auto ci = [&](std::vector<double> v) {
    return interval_json(std::move(v), options.ci_level, "stratified percentile bootstrap", options.seed);
  };
  MEDAI_ASSIGN_OR_RETURN(double log_loss, multiclass_log_loss(probabilities, labels, k));
  nlohmann::json out = {{"kind", "multiclass"},
                        {"cases", n},
                        {"classes", class_names},
                        {"accuracy", acc},
                        {"accuracy_ci", ci(boot_acc)},
                        {"balanced_accuracy", finite_or_null(mean_finite(recalls))},
                        {"macro_f1", finite_or_null(mean_finite(f1s))},
                        {"macro_auc", finite_or_null(macro_auc)},
                        {"log_loss", log_loss},
                        {"confusion_matrix", confusion},
                        {"per_class", per_class}};
  if (!boot_auc.empty()) out["macro_auc_ci"] = ci(boot_auc);
  return out;
}

}  // namespace medai::evaluation

#include "evaluation/classification_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <tuple>

#include "evaluation/bootstrap.h"

namespace medai::evaluation {
namespace {

struct ClassCounts {
  std::int64_t positives = 0, negatives = 0;
};

Result<ClassCounts> check_inputs(const std::vector<double>& scores, const std::vector<int>& labels,
                                 bool need_both_classes) {
  if (scores.size() != labels.size())
    return make_error(ErrorCode::invalid_argument, "scores and labels differ in length",
                      {{"scores", scores.size()}, {"labels", labels.size()}});
  if (scores.empty()) return make_error(ErrorCode::invalid_argument, "no cases to evaluate");
  ClassCounts c;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i]))
      return make_error(ErrorCode::invalid_argument, "a score is not a finite number", {{"index", i}});
    if (labels[i] == 1)
      ++c.positives;
    else if (labels[i] == 0)
      ++c.negatives;
    else
      return make_error(ErrorCode::invalid_argument, "labels must be 0 or 1", {{"index", i}});
  }
  if (need_both_classes && (c.positives == 0 || c.negatives == 0))
    return make_error(ErrorCode::invalid_argument, "the metric needs at least one positive and one negative case",
                      {{"positives", c.positives}, {"negatives", c.negatives}});
  return c;
}

// AUC from mid-ranks (ties share the mean rank); inputs already checked.
double auc_unchecked(const std::vector<double>& scores, const std::vector<int>& labels, std::int64_t positives,
                     std::int64_t negatives, std::vector<std::size_t>& order) {
  const std::size_t n = scores.size();
  order.resize(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;  // ranks i+1..j
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] == 1) positive_rank_sum += mid_rank;
    i = j;
  }
  const double p = static_cast<double>(positives), q = static_cast<double>(negatives);
  return (positive_rank_sum - p * (p + 1) / 2.0) / (p * q);
}

nlohmann::json threshold_json(double t) {
  return std::isfinite(t) ? nlohmann::json(t) : nlohmann::json(nullptr);  // +inf: "nothing called positive"
}

nlohmann::json to_json(const OperatingPoint& p) {
  return {{"threshold", threshold_json(p.threshold)},
          {"tp", p.tp}, {"fp", p.fp}, {"tn", p.tn}, {"fn", p.fn},
          {"sensitivity", p.sensitivity}, {"specificity", p.specificity},
          {"ppv", p.ppv}, {"npv", p.npv}};
}

OperatingPoint make_point(double threshold, std::int64_t tp, std::int64_t fp, std::int64_t positives,
                          std::int64_t negatives) {
  OperatingPoint p;
  p.threshold = threshold;
  p.tp = tp;
  p.fp = fp;
  p.fn = positives - tp;
  p.tn = negatives - fp;
  auto ratio = [](std::int64_t a, std::int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); };
  p.sensitivity = ratio(p.tp, positives);
  p.specificity = ratio(p.tn, negatives);
  p.ppv = ratio(p.tp, p.tp + p.fp);
  p.npv = ratio(p.tn, p.tn + p.fn);
  return p;
}

}  // namespace

Result<std::vector<RocPoint>> roc_curve(const std::vector<double>& scores, const std::vector<int>& labels) {
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(scores, labels, true));
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  std::vector<RocPoint> out;
  out.push_back({std::numeric_limits<double>::infinity(), 0.0, 0.0});
  std::int64_t tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size();) {
    const double s = scores[order[i]];
    while (i < order.size() && scores[order[i]] == s) {
      (labels[order[i]] == 1 ? tp : fp)++;
      ++i;
    }
    out.push_back({s, static_cast<double>(fp) / static_cast<double>(c.negatives),
                   static_cast<double>(tp) / static_cast<double>(c.positives)});
  }
  return out;
}

Result<double> roc_auc(const std::vector<double>& scores, const std::vector<int>& labels) {
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(scores, labels, true));
  std::vector<std::size_t> order;
  return auc_unchecked(scores, labels, c.positives, c.negatives, order);
}

Result<ConfidenceInterval> bootstrap_auc_ci(const std::vector<double>& scores, const std::vector<int>& labels,
                                            int resamples, double level, std::uint64_t seed) {
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(scores, labels, true));
  MEDAI_RETURN_IF_ERROR(check_bootstrap(resamples, level));
  std::vector<double> pos, neg;
  for (std::size_t i = 0; i < scores.size(); ++i) (labels[i] == 1 ? pos : neg).push_back(scores[i]);

  ConfidenceInterval ci;
  ci.level = level;
  ci.resamples = resamples;
  ci.seed = seed;
  std::vector<std::size_t> order;
  ci.estimate = auc_unchecked(scores, labels, c.positives, c.negatives, order);

  std::mt19937_64 rng(seed);
  auto draw = [&rng](std::size_t n) { return draw_index(rng, n); };
  std::vector<double> s(scores.size());
  std::vector<int> y(scores.size());
  for (std::size_t i = 0; i < pos.size(); ++i) y[i] = 1;
  for (std::size_t i = pos.size(); i < y.size(); ++i) y[i] = 0;
  std::vector<double> aucs;
  aucs.reserve(static_cast<std::size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    for (std::size_t i = 0; i < pos.size(); ++i) s[i] = pos[draw(pos.size())];
    for (std::size_t i = 0; i < neg.size(); ++i) s[pos.size() + i] = neg[draw(neg.size())];
    aucs.push_back(auc_unchecked(s, y, c.positives, c.negatives, order));
  }
  std::tie(ci.lower, ci.upper) = percentile_interval(std::move(aucs), level);
  return ci;
}

Result<OperatingPoint> operating_point(const std::vector<double>& scores, const std::vector<int>& labels,
                                       double threshold) {
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(scores, labels, false));
  if (std::isnan(threshold)) return make_error(ErrorCode::invalid_argument, "threshold is not a number");
  std::int64_t tp = 0, fp = 0;
  for (std::size_t i = 0; i < scores.size(); ++i)
    if (scores[i] >= threshold) (labels[i] == 1 ? tp : fp)++;
  return make_point(threshold, tp, fp, c.positives, c.negatives);
}

Result<OperatingPoint> at_target_specificity(const std::vector<double>& scores, const std::vector<int>& labels,
                                             double target_specificity) {
  if (!(target_specificity >= 0 && target_specificity <= 1))
    return make_error(ErrorCode::invalid_argument, "target specificity must be in [0, 1]");
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(scores, labels, true));
  MEDAI_ASSIGN_OR_RETURN(auto roc, roc_curve(scores, labels));
  // Along the curve (descending thresholds) specificity only falls and
  // sensitivity only rises: the last point still meeting the target wins.
  const RocPoint* best = &roc.front();
  for (const auto& p : roc)
    if (1.0 - p.fpr >= target_specificity - 1e-12) best = &p;
  const auto tp = static_cast<std::int64_t>(std::llround(best->tpr * static_cast<double>(c.positives)));
  const auto fp = static_cast<std::int64_t>(std::llround(best->fpr * static_cast<double>(c.negatives)));
  return make_point(best->threshold, tp, fp, c.positives, c.negatives);
}

Result<Calibration> calibration(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                int bins) {
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(probabilities, labels, false));
  (void)c;
  if (bins < 1 || bins > 1000) return make_error(ErrorCode::invalid_argument, "calibration bins must be 1..1000");
  for (std::size_t i = 0; i < probabilities.size(); ++i)
    if (probabilities[i] < 0 || probabilities[i] > 1)
      return make_error(ErrorCode::invalid_argument, "calibration needs probabilities in [0, 1]", {{"index", i}});
  Calibration out;
  out.bins.resize(static_cast<std::size_t>(bins));
  std::vector<double> sum_p(out.bins.size(), 0), sum_y(out.bins.size(), 0);
  double brier = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double p = probabilities[i];
    auto b = static_cast<std::size_t>(std::floor(p * bins));
    if (b >= out.bins.size()) b = out.bins.size() - 1;  // p == 1 belongs to the last bin
    out.bins[b].count++;
    sum_p[b] += p;
    sum_y[b] += labels[i];
    brier += (p - labels[i]) * (p - labels[i]);
  }
  const double n = static_cast<double>(probabilities.size());
  out.brier = brier / n;
  for (std::size_t b = 0; b < out.bins.size(); ++b) {
    auto& bin = out.bins[b];
    bin.lower = static_cast<double>(b) / bins;
    bin.upper = static_cast<double>(b + 1) / bins;
    if (bin.count == 0) continue;
    bin.mean_predicted = sum_p[b] / static_cast<double>(bin.count);
    bin.observed_rate = sum_y[b] / static_cast<double>(bin.count);
    out.expected_calibration_error +=
        static_cast<double>(bin.count) / n * std::abs(bin.observed_rate - bin.mean_predicted);
  }
  return out;
}

Result<nlohmann::json> classification_report(const std::vector<double>& scores, const std::vector<int>& labels,
                                             const ClassificationOptions& options) {
  MEDAI_ASSIGN_OR_RETURN(ClassCounts c, check_inputs(scores, labels, true));
  MEDAI_ASSIGN_OR_RETURN(auto roc, roc_curve(scores, labels));
  MEDAI_ASSIGN_OR_RETURN(auto ci, bootstrap_auc_ci(scores, labels, options.bootstrap_resamples, options.ci_level,
                                                   options.seed));
  nlohmann::json out = {{"cases", scores.size()}, {"positives", c.positives}, {"negatives", c.negatives},
                        {"auc", ci.estimate},
                        {"auc_ci", {{"lower", ci.lower}, {"upper", ci.upper}, {"level", ci.level},
                                    {"method", "stratified percentile bootstrap"},
                                    {"resamples", ci.resamples}, {"seed", ci.seed}}}};
  auto& points = out["roc"] = nlohmann::json::array();
  for (const auto& p : roc) points.push_back({{"threshold", threshold_json(p.threshold)}, {"fpr", p.fpr}, {"tpr", p.tpr}});
  auto& at_thresholds = out["at_thresholds"] = nlohmann::json::array();
  for (double t : options.thresholds) {
    MEDAI_ASSIGN_OR_RETURN(auto p, operating_point(scores, labels, t));
    at_thresholds.push_back(to_json(p));
  }
  auto& at_spec = out["at_target_specificity"] = nlohmann::json::array();
  for (double t : options.target_specificities) {
    MEDAI_ASSIGN_OR_RETURN(auto p, at_target_specificity(scores, labels, t));
    auto j = to_json(p);
    j["target_specificity"] = t;
    at_spec.push_back(std::move(j));
  }
  if (options.scores_are_probabilities) {
    MEDAI_ASSIGN_OR_RETURN(auto cal, calibration(scores, labels, options.calibration_bins));
    auto& bins = out["calibration"]["bins"] = nlohmann::json::array();
    for (const auto& b : cal.bins)
      bins.push_back({{"lower", b.lower}, {"upper", b.upper}, {"count", b.count},
                      {"mean_predicted", b.mean_predicted}, {"observed_rate", b.observed_rate}});
    out["calibration"]["brier"] = cal.brier;
    out["calibration"]["expected_calibration_error"] = cal.expected_calibration_error;
  }
  return out;
}

}  // namespace medai::evaluation

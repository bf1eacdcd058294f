#include "evaluation/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "evaluation/svg_chart.h"

namespace medai::evaluation {
namespace {

std::string text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v.get<double>());
    return buf;
  }
  if (v.is_null()) return "—";
  return v.dump();
}

std::string fixed(const nlohmann::json& v, int digits = 3) {
  if (!v.is_number()) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v.get<double>());
  return buf;
}

std::string key_value_table(const nlohmann::json& object) {
  std::string out = "<table class=\"kv\">";
  for (const auto& [k, v] : object.items())
    out += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(text_of(v)) + "</td></tr>";
  return out + "</table>";
}

std::string classification_section(const std::string& split, const nlohmann::json& m) {
  std::string out = "<h3>" + html_escape(split) + " split</h3>";
  out += "<p class=\"headline\">ROC AUC <b>" + fixed(m.value("auc", nlohmann::json())) + "</b>";
  if (m.contains("auc_ci")) {
    const auto& ci = m["auc_ci"];
    out += " (" + fixed(ci.value("level", 0.95) * 100.0, 0) + "% CI " +
           fixed(ci.value("lower", nlohmann::json())) + "–" + fixed(ci.value("upper", nlohmann::json())) + ", " +
           html_escape(ci.value("method", std::string())) + ", " + text_of(ci.value("resamples", nlohmann::json())) +
           " resamples)";
  }
  out += " — " + text_of(m.value("cases", nlohmann::json())) + " cases, " +
         text_of(m.value("positives", nlohmann::json())) + " positive</p>";
  out += "<table><tr><th>operating point</th><th>threshold</th><th>sensitivity</th><th>specificity</th><th>PPV</th>"
         "<th>NPV</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th></tr>";
  auto rows = [&](const char* key, bool target) {
    if (!m.contains(key)) return;
    for (const auto& p : m[key]) {
      const std::string what =
          target ? "specificity ≥ " + fixed(p.value("target_specificity", nlohmann::json()), 2) : "fixed threshold";
      out += "<tr><td>" + what + "</td><td>" + fixed(p["threshold"]) + "</td><td>" + fixed(p["sensitivity"]) +
             "</td><td>" + fixed(p["specificity"]) + "</td><td>" + fixed(p["ppv"]) + "</td><td>" + fixed(p["npv"]) +
             "</td><td>" + text_of(p["tp"]) + "</td><td>" + text_of(p["fp"]) + "</td><td>" + text_of(p["tn"]) +
             "</td><td>" + text_of(p["fn"]) + "</td></tr>";
    }
  };
  rows("at_thresholds", false);
  rows("at_target_specificity", true);
  out += "</table>";
  if (m.contains("calibration")) {
    const auto& cal = m["calibration"];
    out += "<p>Brier score " + fixed(cal.value("brier", nlohmann::json()), 4) + ", expected calibration error " +
           fixed(cal.value("expected_calibration_error", nlohmann::json()), 4) + "</p>";
  }
  return out;
}

// "lower–upper (95% CI, method)" of a CI object.
std::string ci_text(const nlohmann::json& ci) {
  return fixed(ci.value("lower", nlohmann::json())) + "–" + fixed(ci.value("upper", nlohmann::json())) + " (" +
         fixed(ci.value("level", 0.95) * 100.0, 0) + "% CI, " + html_escape(ci.value("method", std::string())) + ")";
}

std::string multiclass_section(const std::string& split, const nlohmann::json& m) {
  std::string out = "<h3>" + html_escape(split) + " split</h3>";
  out += "<p class=\"headline\">Accuracy <b>" + fixed(m.value("accuracy", nlohmann::json())) + "</b>";
  if (m.contains("accuracy_ci")) out += " " + ci_text(m["accuracy_ci"]);
  out += "; macro one-vs-rest ROC AUC <b>" + fixed(m.value("macro_auc", nlohmann::json())) + "</b>";
  if (m.contains("macro_auc_ci")) out += " " + ci_text(m["macro_auc_ci"]);
  out += " — " + text_of(m.value("cases", nlohmann::json())) + " cases</p>";
  out += "<p>Balanced accuracy " + fixed(m.value("balanced_accuracy", nlohmann::json())) + ", macro F1 " +
         fixed(m.value("macro_f1", nlohmann::json())) + ", log loss " + fixed(m.value("log_loss", nlohmann::json()), 4) +
         "</p>";
  const auto classes = m.value("classes", nlohmann::json::array());
  out += "<table><tr><th>class</th><th>cases</th><th>called</th><th>precision</th><th>recall</th><th>F1</th>"
         "<th>AUC (one vs rest)</th></tr>";
  for (const auto& c : m.value("per_class", nlohmann::json::array()))
    out += "<tr><td>" + html_escape(text_of(c.value("name", nlohmann::json()))) + "</td><td>" +
           text_of(c.value("support", nlohmann::json())) + "</td><td>" + text_of(c.value("predicted", nlohmann::json())) +
           "</td><td>" + fixed(c.value("precision", nlohmann::json())) + "</td><td>" +
           fixed(c.value("recall", nlohmann::json())) + "</td><td>" + fixed(c.value("f1", nlohmann::json())) +
           "</td><td>" + fixed(c.value("auc", nlohmann::json())) + "</td></tr>";
  out += "</table>";
  if (m.contains("confusion_matrix") && m["confusion_matrix"].is_array()) {
    out += "<table><tr><th>true \\ predicted</th>";
    for (const auto& c : classes) out += "<th>" + html_escape(text_of(c)) + "</th>";
    out += "</tr>";
    std::size_t i = 0;
    for (const auto& row : m["confusion_matrix"]) {
      out += "<tr><th>" + html_escape(i < classes.size() ? text_of(classes[i]) : std::to_string(i)) + "</th>";
      for (const auto& v : row) out += "<td>" + text_of(v) + "</td>";
      out += "</tr>";
      ++i;
    }
    out += "</table>";
  }
  return out;
}

std::string regression_section(const std::string& split, const nlohmann::json& m) {
  std::string out = "<h3>" + html_escape(split) + " split</h3>";
  out += "<p class=\"headline\">MAE <b>" + fixed(m.value("mae", nlohmann::json())) + "</b>";
  if (m.contains("mae_ci")) out += " " + ci_text(m["mae_ci"]);
  out += "; RMSE <b>" + fixed(m.value("rmse", nlohmann::json())) + "</b>";
  if (m.contains("rmse_ci")) out += " " + ci_text(m["rmse_ci"]);
  out += "; R² <b>" + fixed(m.value("r2", nlohmann::json())) + "</b> — " + text_of(m.value("cases", nlohmann::json())) +
         " cases</p>";
  out += "<p>Median absolute error " + fixed(m.value("median_absolute_error", nlohmann::json())) +
         ", mean error (bias) " + fixed(m.value("mean_error", nlohmann::json())) + ", observed mean " +
         fixed(m.value("observed_mean", nlohmann::json())) + " (SD " + fixed(m.value("observed_sd", nlohmann::json())) +
         ")</p>";
  return out;
}

std::string figure(const std::string& title, const std::string& svg) {
  return "<figure>" + svg + "<figcaption>" + html_escape(title) + "</figcaption></figure>";
}

}  // namespace

std::string render_report_html(const nlohmann::json& report, const std::vector<ReportFigure>& extra_figures) {
  const std::string title = report.value("title", std::string("Evaluation report"));
  std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
      "</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
      "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}"
      "th{background:#f4f4f4}table.kv th,table.kv td{text-align:left}figure{display:inline-block;margin:.5em}"
      "figcaption{text-align:center;font-size:90%;color:#555}.notes{background:#fff6e0;padding:.5em 1em;"
      "border-left:4px solid #e69f00}.headline{font-size:110%}</style></head><body>";
  html += "<h1>" + html_escape(title) + "</h1>";
  html += "<p>Schema " + html_escape(report.value("schema", std::string(kReportSchema))) + ", created " +
          html_escape(report.value("created_at", std::string("—"))) + ", task " +
          html_escape(report.value("task", std::string("—"))) + "</p>";
  if (report.contains("notes") && report["notes"].is_array() && !report["notes"].empty()) {
    html += "<div class=\"notes\">";
    for (const auto& n : report["notes"]) html += "<p>" + html_escape(text_of(n)) + "</p>";
    html += "</div>";
  }
  if (report.contains("subject")) html += "<h2>Model</h2>" + key_value_table(report["subject"]);
  if (report.contains("dataset")) html += "<h2>Data</h2>" + key_value_table(report["dataset"]);
  if (report.contains("hyper") && report["hyper"].is_object() && !report["hyper"].empty())
    html += "<h2>Hyper-parameters</h2>" + key_value_table(report["hyper"]);

  std::string figures;
  std::vector<ChartSeries> roc_series, calibration_series, scatter_series;
  if (report.contains("splits") && report["splits"].is_object()) {
    html += "<h2>Metrics</h2>";
    for (const auto& [split, m] : report["splits"].items()) {
      const std::string kind = m.is_object() ? m.value("kind", std::string()) : std::string();
      if (kind == "multiclass") {
        html += multiclass_section(split, m);
      } else if (kind == "regression") {
        html += regression_section(split, m);
        ChartSeries s{split, {}, true, false};
        for (const auto& p : m.value("points", nlohmann::json::array()))
          if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
            s.points.emplace_back(p[0].get<double>(), p[1].get<double>());
        scatter_series.push_back(std::move(s));
      } else if (report.value("task", std::string()) == "classification" || m.contains("auc")) {
        html += classification_section(split, m);
        if (m.contains("roc")) {
          ChartSeries s{split + " (AUC " + fixed(m.value("auc", nlohmann::json())) + ")", {}, false};
          for (const auto& p : m["roc"]) s.points.emplace_back(p.value("fpr", 0.0), p.value("tpr", 0.0));
          roc_series.push_back(std::move(s));
        }
        if (m.contains("calibration")) {
          ChartSeries s{split, {}, true};
          for (const auto& b : m["calibration"]["bins"])
            if (b.value("count", 0) > 0) s.points.emplace_back(b.value("mean_predicted", 0.0), b.value("observed_rate", 0.0));
          calibration_series.push_back(std::move(s));
        }
      } else {
        html += "<h3>" + html_escape(split) + " split</h3>" + key_value_table(m);
      }
    }
  }
  if (report.contains("history") && report["history"].is_array() && !report["history"].empty()) {
    ChartSeries loss{"training loss", {}, false}, val_loss{"validation loss", {}, false};
    std::map<std::string, ChartSeries> val_metrics;
    for (const auto& h : report["history"]) {
      const double epoch = h.value("epoch", 0.0);
      if (h.contains("loss") && h["loss"].is_number()) loss.points.emplace_back(epoch, h["loss"].get<double>());
      if (h.contains("validation") && h["validation"].is_object())
        for (const auto& [k, v] : h["validation"].items()) {
          if (!v.is_number()) continue;
          if (k == "loss")
            val_loss.points.emplace_back(epoch, v.get<double>());
          else {
            auto& s = val_metrics[k];
            s.name = "validation " + k;
            s.points.emplace_back(epoch, v.get<double>());
          }
        }
    }
    std::vector<ChartSeries> losses;
    if (!loss.points.empty()) losses.push_back(loss);
    if (!val_loss.points.empty()) losses.push_back(val_loss);
    if (!losses.empty())
      figures += figure("Loss per epoch", svg_line_chart(losses, {.title = "Loss", .x_label = "epoch / round",
                                                                  .y_label = "loss"}));
    std::vector<ChartSeries> metrics;
    for (auto& [k, s] : val_metrics) metrics.push_back(std::move(s));
    if (!metrics.empty())
      figures += figure("Validation metrics per epoch",
                        svg_line_chart(metrics, {.title = "Validation", .x_label = "epoch / round", .y_label = "metric"}));
  }
  if (!roc_series.empty())
    figures += figure("ROC curves", svg_line_chart(roc_series, {.title = "ROC", .x_label = "1 − specificity",
                                                                .y_label = "sensitivity", .x_min = 0, .x_max = 1,
                                                                .y_min = 0, .y_max = 1, .diagonal = true}));
  if (!scatter_series.empty()) {
    // Same range on both axes, so the dashed line is "predicted = observed".
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& s : scatter_series)
      for (const auto& [x, y] : s.points) {
        lo = std::min({lo, x, y});
        hi = std::max({hi, x, y});
      }
    ChartOptions o{.title = "Predicted vs observed", .x_label = "observed", .y_label = "predicted", .diagonal = true};
    if (lo < hi) o.x_min = o.y_min = lo, o.x_max = o.y_max = hi;
    figures += figure("Predicted against observed values (dashed: perfect prediction)", svg_line_chart(scatter_series, o));
  }
  if (!calibration_series.empty())
    figures += figure("Calibration (mean predicted vs observed, per bin)",
                      svg_line_chart(calibration_series, {.title = "Calibration", .x_label = "mean predicted probability",
                                                          .y_label = "observed rate", .x_min = 0, .x_max = 1,
                                                          .y_min = 0, .y_max = 1, .diagonal = true}));
  if (report.contains("figures") && report["figures"].is_array())
    for (const auto& f : report["figures"])
      if (f.is_object() && f.contains("svg") && f["svg"].is_string())
        figures += figure(f.value("title", std::string()), f["svg"].get<std::string>());
  for (const auto& f : extra_figures) figures += figure(f.title, f.svg);
  if (!figures.empty()) html += "<h2>Plots</h2>" + figures;
  html += "</body></html>\n";
  return html;
}

}  // namespace medai::evaluation

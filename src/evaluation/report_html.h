#pragma once
// The evaluation report: one JSON document (schema
// "medai.evaluation-report/1", documented in docs/training.md) that training
// jobs and evaluations both produce, and its rendering as one self-contained
// HTML page (inline CSS and SVG; no script, no external resource).
//
// Report shape (fields a producer does not have are left out):
//   {"schema": "medai.evaluation-report/1",
//    "title": "...", "created_at": "ISO 8601",
//    "task": "classification" | "regression" | "segmentation" | "detection",
//    "subject": {"kind": "training_job" | "app_version", "id", "architecture", "app", "version"},
//    "dataset": {"id", "name", "version"},
//    "splits": {"<split>": <metric block>},   // classification_report(), multiclass_report() or regression_report()
//    "history": [{"epoch", "loss", "validation": {...}}],
//    "best_epoch": n, "hyper": {...},
//    "notes": ["Research use only", ...],
//    "figures": [{"title", "svg"}]}           // plots from other producers
// Contract for "figures": the SVG comes from the platform's own code
// (svg_line_chart or a trainer), never from a user; it is embedded as is.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace medai::evaluation {

inline constexpr const char* kReportSchema = "medai.evaluation-report/1";

struct ReportFigure {
  std::string title;
  std::string svg;
};

std::string render_report_html(const nlohmann::json& report, const std::vector<ReportFigure>& extra_figures = {});

}  // namespace medai::evaluation

#!/usr/bin/env bash
# Builds the diabetes-advice app package from a trained XGBoost model and the
# rule set: a folder with manifest.json, model/model.json and
# rules/rules.json, packed (manifest.files filled with SHA-256s, manifest
# validated) and optionally signed. The rules are listed in files, so the
# one signature covers them; a new rule set is a new app version.
#
# Usage: scripts/build_diabetes_app.sh --model model.json -o out.medai
#          [--report report.json] [--rules apps/diabetes-advice/rules/rules.json]
#          [--version 1.0.0] [--vendor medai-reference] [--key vendor.key.json]
#          [--medai build/release/src/cli/medai]
# --report: the training job's report (`medai train report <job>`,
# medai.evaluation-report/1); its per-split metrics (ROC AUC with the 95 %
# CI on Pima.te) become the manifest's validation metrics.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
model="" out="" report="" rules="$here/apps/diabetes-advice/rules/rules.json" version="" vendor="" key=""
medai="${MEDAI_BINARY:-$here/build/release/src/cli/medai}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --report) report="$2"; shift 2 ;;
    -o|--out) out="$2"; shift 2 ;;
    --rules) rules="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --vendor) vendor="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --medai) medai="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ -n "$model" && -n "$out" ]] || { echo "usage: $0 --model model.json -o out.medai [...]" >&2; exit 2; }
[[ -f "$model" ]] || { echo "no model file: $model" >&2; exit 1; }
[[ -f "$rules" ]] || { echo "no rules file: $rules" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app/model" "$work/app/rules"
cp "$model" "$work/app/model/model.json"
cp "$rules" "$work/app/rules/rules.json"
[[ -z "$report" || -f "$report" ]] || { echo "no report file: $report" >&2; exit 1; }
/usr/bin/python3 - "$here/apps/diabetes-advice/manifest.json" "$work/app/manifest.json" "$version" "$vendor" "$report" <<'PY'
import json, sys
src, dst, version, vendor, report = sys.argv[1:6]
m = json.load(open(src))
if version: m["version"] = version
if vendor: m["vendor"] = vendor
if report:
    r = json.load(open(report))
    metrics = []
    for split, values in sorted(r.get("splits", {}).items()):
        if not isinstance(values, dict) or "auc" not in values: continue
        metric = {"name": "roc_auc", "value": values["auc"], "split": split}
        ci = values.get("auc_ci")
        if isinstance(ci, dict) and "lower" in ci and "upper" in ci: metric["ci95"] = [ci["lower"], ci["upper"]]
        metrics.append(metric)
    if not metrics: sys.exit("the report has no per-split AUC")
    m["validation"]["metrics"] = metrics
json.dump(m, open(dst, "w"), indent=2, ensure_ascii=False)
PY
"$medai" app pack "$work/app" -o "$out"
if [[ -n "$key" ]]; then "$medai" app sign "$out" --key "$key"; fi
echo "$out"

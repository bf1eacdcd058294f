#!/usr/bin/env bash
# CI check of the committed mammography-screening package (no retraining):
#   1. its signature verifies against the reference key (vendor medai-reference);
#   2. on a small held-out set (medai synth mammo --small, seed 424242, never
#      used in training; 80 exams, about 15 malignant) `medai evaluate --package`
#      reaches the stated floor: exam AUC >= 0.55 (measured 0.581 for
#      package 1.0.0; baseline 0.566 on the same exams). The model is weak
#      (held-out AUC 0.720 on 200 exams, target 0.95 not met), so this floor
#      guards the pipeline (loading, grid, model call, aggregation) against
#      regressions, not the target.
# The floor is below the committed report's number (docs/apps/
# mammography-screening.md) because 80 exams give a wide CI.
# Usage: tests/reference_apps/mammo_check.sh [path/to/medai]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
medai="${1:-${MEDAI_BINARY:-$here/build/release/src/cli/medai}}"
app=mammography-screening
pkg="$(ls "$here"/apps/$app/$app-*.medai 2>/dev/null | sort -V | tail -1 || true)"
[[ -n "$pkg" ]] || { echo "no committed package apps/$app/$app-*.medai (scripts/reference-apps/mammo.sh builds it)" >&2; exit 1; }
floor_auc="${MAMMO_FLOOR_AUC:-0.55}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$medai" app verify "$pkg" --public-key "$here/apps/medai-reference.pub.json" --vendor medai-reference
"$medai" synth mammo --small --count 80 --seed 424242 --threads 2 --out "$work/studies" >/dev/null
"$medai" evaluate --package "$pkg" --studies "$work/studies" --public-key "$here/apps/medai-reference.pub.json" \
  --vendor medai-reference --threads 2 --out "$work/report.json"
/usr/bin/python3 - "$work/report.json" "$floor_auc" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); floor = float(sys.argv[2])
test = r["splits"]["test"]; base = r["baseline"]["splits"]["test"]
auc, bauc = test["auc"], base["auc"]
print(f"exam AUC {auc:.3f} (CI {test['auc_ci']['lower']:.3f}-{test['auc_ci']['upper']:.3f}), baseline {bauc:.3f}, floor {floor}")
ok = auc >= floor
sys.exit(0 if ok else 1)
PY
# Missing view: the exam is scored from what exists and flagged, not refused.
mkdir -p "$work/partial"
first="$(ls "$work/studies" | head -1)"
cp -r "$work/studies/$first" "$work/partial/"
rm "$work/partial/$first/LMLO.dcm"
"$medai" evaluate --package "$pkg" --studies "$work/partial" --no-baseline --threads 2 --out "$work/partial.json" >/dev/null
/usr/bin/python3 - "$work/partial.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["studies"]
print(f"3-view exam: scored {s['scored']}, incomplete {s['incomplete_exams']}, failed {len(s['failed'])}")
sys.exit(0 if s["scored"] == 1 and s["incomplete_exams"] == 1 and not s["failed"] else 1)
PY

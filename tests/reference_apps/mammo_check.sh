#!/usr/bin/env bash
# CI check of the committed mammography-screening package (no retraining):
#   1. its signature verifies against the reference key (vendor medai-reference);
#   2. on a small held-out set (medai synth mammo --small, seed 424242, never
#      used in training; 40 exams, about 8 malignant) `medai evaluate --package`
#      reaches the stated floor: exam AUC >= 0.80, and the model beats the
#      max-local-contrast baseline on the same exams.
# The floor is below the committed report's number (docs/apps/
# mammography-screening.md) because 40 exams give a wide CI.
# Usage: tests/reference_apps/mammo_check.sh [path/to/medai]   (exit 77: skipped)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
medai="${1:-${MEDAI_BINARY:-$here/build/release/src/cli/medai}}"
app=mammography-screening
pkg="$(ls "$here"/apps/$app/$app-*.medai 2>/dev/null | sort -V | tail -1 || true)"
[[ -n "$pkg" ]] || { echo "no committed package apps/$app/$app-*.medai: skipped"; exit 77; }
floor_auc="${MAMMO_FLOOR_AUC:-0.80}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$medai" app verify "$pkg" --public-key "$here/apps/medai-reference.pub.json" --vendor medai-reference
"$medai" synth mammo --small --count 40 --seed 424242 --threads 2 --out "$work/studies" >/dev/null
"$medai" evaluate --package "$pkg" --studies "$work/studies" --public-key "$here/apps/medai-reference.pub.json" \
  --vendor medai-reference --threads 2 --out "$work/report.json"
/usr/bin/python3 - "$work/report.json" "$floor_auc" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); floor = float(sys.argv[2])
test = r["splits"]["test"]; base = r["baseline"]["splits"]["test"]
auc, bauc = test["auc"], base["auc"]
print(f"exam AUC {auc:.3f} (CI {test['auc_ci']['lower']:.3f}-{test['auc_ci']['upper']:.3f}), baseline {bauc:.3f}, floor {floor}")
ok = auc >= floor and auc > bauc
sys.exit(0 if ok else 1)
PY

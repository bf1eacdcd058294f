#!/usr/bin/env bash
# CI check of the committed lung-nodule-screening package (no retraining):
#  1. the signature verifies against the reference public key (vendor medai-reference);
#  2. `medai evaluate --package` on a small held-out set (fixed seed 9101, never used
#     in training, 4 reduced-matrix scans as the generator draws them) meets the floor:
#     model CPM >= LUNG_CPM_FLOOR (default 0.5), the baseline is reported, and the
#     model beats the baseline's CPM.
# Usage: tests/reference_apps/lung_check.sh [path/to/medai]   (about 1-2 min on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
medai="${1:-${MEDAI_BINARY:-$here/build/release/src/cli/medai}}"
app=lung-nodule-screening
package="$(ls "$here/apps/$app/$app-"*.medai 2>/dev/null | sort -V | tail -1 || true)"
[[ -n "$package" ]] || { echo "no committed $app package: skipped"; exit 77; }
floor="${LUNG_CPM_FLOOR:-0.5}"
work="$(mktemp -d /tmp/lung-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$medai" app verify "$package" --public-key "$here/apps/medai-reference.pub.json" --vendor medai-reference
"$medai" synth chest-ct --seed 9101 --count 4 --matrix 256 --threads 2 --out "$work/studies" >/dev/null
"$medai" evaluate --package "$package" --studies "$work/studies" --threads 2 --out "$work/report.json" >/dev/null
/usr/bin/python3 - "$work/report.json" "$floor" <<'PY'
import json, sys
report, floor = json.load(open(sys.argv[1])), float(sys.argv[2])
model, baseline = report["detection"], report["baseline"]
print(f"model CPM {model['cpm']:.3f} (floor {floor}), baseline CPM {baseline['cpm']:.3f}, "
      f"median diameter error {model['median_diameter_error_mm']} mm, type accuracy {model['type_accuracy']}")
assert model["cpm"] >= floor, "model CPM below the floor"
assert model["cpm"] > baseline["cpm"], "model does not beat the baseline"
PY
echo "lung-nodule-screening check passed"

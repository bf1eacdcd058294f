#!/usr/bin/env bash
# Trains, evaluates and packages the reference app "mammography-screening"
# with the platform's own commands only (seeds fixed: the same run gives the
# same package up to LibTorch's float non-determinism across machines):
#
#   1. `medai serve` on a temporary data folder, an admin user and a token;
#   2. `medai synth mammo --small --count $TRAIN_EXAMS --seed 7101 --to … --dataset`
#      (lateralised labels "malignant:R": each view is labelled by its breast);
#   3. `medai data freeze`, `medai train --architecture resnet2d` (512-high input,
#      the generator's --small grid of 0.39 mm: a microcalcification cluster is
#      still a cluster of bright pixels there);
#   4. `medai synth mammo --small --count $EVAL_EXAMS --seed 7901` (held out:
#      a seed never used for training) and `medai train package` +
#      `medai evaluate --package` (model and the max-local-contrast baseline);
#   5. `medai train package` again with the held-out metrics in the manifest,
#      `medai app sign` with the reference key into apps/mammography-screening/,
#      `medai app verify`; the report to docs/apps/.
#
# Usage: scripts/reference-apps/mammo.sh [--key /work/keys/medai-reference.key.json]
#          [--keep WORKDIR] [--epochs N] [--train-exams N] [--eval-exams N]
#          [--server URL --job ID]   (package/evaluate a finished training job of a
#                                     running server instead of training; MEDAI_TOKEN set)
# Environment: MEDAI_BINARY (default build/release/src/cli/medai), THREADS (1).
# Long: 30–45 min on a shared 2-core machine; run it under `nice -n 10`.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
medai="${MEDAI_BINARY:-$here/build/release/src/cli/medai}"
key="/work/keys/medai-reference.key.json"
work="" server="" job="" epochs=4 train_exams=500 eval_exams=200 threads="${THREADS:-1}" version="1.0.0"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --key) key="$2"; shift 2 ;;
    --keep) work="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --train-exams) train_exams="$2"; shift 2 ;;
    --eval-exams) eval_exams="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    --job) job="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
app=mammography-screening
if [[ -z "$work" ]]; then
  work="$(mktemp -d)"
  trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
else
  mkdir -p "$work"
  trap 'kill "${server_pid:-}" 2>/dev/null || true' EXIT
fi
if [[ -z "$job" ]]; then
data="$work/var"
mkdir -p "$data"

echo "== server on a temporary data folder ($data)"
"$medai" admin create-institution --data-dir "$data" --name reference >/dev/null
"$medai" admin create-user --data-dir "$data" --username trainer --institution reference \
  --role admin --role researcher >/dev/null
token="$("$medai" admin issue-token --data-dir "$data" --user trainer | tr -d '\n')"
MEDAI_DICOM_PORT=0 "$medai" serve --port 0 --data-dir "$data" --ready-file "$work/ready" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do [[ -s "$work/ready" ]] && break; sleep 0.1; done
[[ -s "$work/ready" ]] || { echo "server did not start; see $work/serve.log" >&2; exit 1; }
server="http://127.0.0.1:$(awk '{print $1}' "$work/ready")"
export MEDAI_TOKEN="$token"

echo "== training data: $train_exams exams, seed 7101"
"$medai" synth mammo --small --count "$train_exams" --seed 7101 --threads "$threads" --out "$work/train" \
  --to "$server" --dataset mammo-train >"$work/synth-train.log"
dataset="$(awk '/^dataset /{print $3}' "$work/synth-train.log")"
rm -rf "$work/train"  # the server holds the studies now
"$medai" data freeze --server "$server" "$dataset" 1 >/dev/null

echo "== training resnet2d ($epochs epochs, $threads thread(s))"
hyper="$(cat <<JSON
{"epochs": $epochs, "batch_size": 8, "lr": 0.002, "schedule": "cosine", "optimiser": "adam",
 "weight_decay": 0.0001, "loss": "weighted_bce", "patch_size": [416, 512], "channels": [8, 16, 32, 64],
 "positive_label": "malignant", "pooling": "lse",
 "augmentation": {"flip": true, "intensity_scale": 0.1, "intensity_shift": 0.05}}
JSON
)"
"$medai" train --server "$server" --dataset "$dataset" --architecture resnet2d --seed 7 --threads "$threads" \
  --hyper "$hyper" 2>"$work/train.log"
job="$(awk '/^training job /{print $3}' "$work/train.log")"
fi
"$medai" train report --server "$server" "$job" --out "$work/training-report.json"

echo "== held-out evaluation: $eval_exams exams, seed 7901"
# (kept when --keep WORKDIR already holds them: same seed, same bytes)
[[ -d "$work/heldout" ]] || \
  "$medai" synth mammo --small --count "$eval_exams" --seed 7901 --threads "$threads" --out "$work/heldout" >/dev/null
# Operating points from the training job's validation split (never from the
# held-out set): recall = the lowest score with specificity >= 90 % there,
# high_suspicion = the same at 98 %.
/usr/bin/python3 - "$here/apps/$app/manifest.overlay.json" "$work/training-report.json" "$work/overlay-points.json" <<'PY'
import json, sys
overlay, report, out = sys.argv[1:4]
o = json.load(open(overlay)); v = json.load(open(report))["splits"]["validation"]
neg = sorted(s for s, y in zip(v["scores"], v["labels"]) if y == 0)
def at_specificity(spec):
    # smallest threshold t (an observed negative score, nudged up) with P(neg < t) >= spec
    k = min(len(neg) - 1, int(spec * len(neg) + 0.999999) - 1)
    return round(min(1.0, neg[k] + 1e-6), 6)
o["output"]["thresholds"] = {"recall": at_specificity(0.90), "high_suspicion": max(at_specificity(0.98), at_specificity(0.90))}
json.dump(o, open(out, "w"), indent=2)
print("operating points:", o["output"]["thresholds"])
PY
overlay="$work/overlay-points.json"
"$medai" train package --server "$server" "$job" --name "$app" --version "$version" \
  --manifest-overlay "$overlay" -o "$work/unsigned.medai"
mkdir -p "$here/docs/apps"
"$medai" evaluate --package "$work/unsigned.medai" --studies "$work/heldout" --threads "$threads" \
  --out "$here/docs/apps/$app-evaluation.json" --html-out "$here/docs/apps/$app-evaluation.html"

echo "== signed package (held-out metrics in the manifest)"
/usr/bin/python3 - "$overlay" "$here/docs/apps/$app-evaluation.json" "$work/overlay.json" <<'PY'
import json, sys
overlay, report, out = sys.argv[1:4]
o = json.load(open(overlay)); r = json.load(open(report))
metrics = []
t = r["splits"]["test"]
metrics.append({"name": "exam_roc_auc", "value": t["auc"], "ci95": [t["auc_ci"]["lower"], t["auc_ci"]["upper"]],
                "split": "held-out synthetic exams (seed 7901)"})
for p in t.get("at_target_specificity", []):
    if abs(p["target_specificity"] - 0.9) < 1e-9:
        metrics.append({"name": "sensitivity_at_90_specificity", "value": p["sensitivity"],
                        "split": "held-out synthetic exams (seed 7901)"})
b = r["baseline"]["splits"]["test"]
metrics.append({"name": "baseline_max_local_contrast_exam_roc_auc", "value": b["auc"],
                "split": "held-out synthetic exams (seed 7901)"})
o["validation"] = {"metrics": metrics}
json.dump(o, open(out, "w"), indent=2)
PY
mkdir -p "$here/apps/$app"
"$medai" train package --server "$server" "$job" --name "$app" --version "$version" \
  --manifest-overlay "$work/overlay.json" -o "$here/apps/$app/$app-$version.medai"
"$medai" app sign "$here/apps/$app/$app-$version.medai" --key "$key"
"$medai" app verify "$here/apps/$app/$app-$version.medai" --public-key "$here/apps/medai-reference.pub.json" \
  --vendor medai-reference
echo "done: apps/$app/$app-$version.medai, docs/apps/$app-evaluation.{json,html}"

#!/usr/bin/env bash
# Latency of the synchronous diabetes-advice call (POST /api/v1/apps/{name}/infer)
# under wrk load on loopback against a real `medai serve`: the app is built
# (scripts/build_diabetes_app.sh) from an XGBoost model trained here on
# synthetic Pima-like rows (python3-xgboost; a stand-in for the trained
# model, same size class), signed, published, approved, then called with
# one diagnosed patient (rules only) and one undiagnosed patient (rules +
# XGBoost with SHAP contributions). Target (issue #8): p99 <= 50 ms.
#
#   bench/diabetes_infer_bench.sh [seconds] [connections]   (needs scripts/build.sh release)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-16}"
medai=$PWD/build/release/src/cli/medai
[ -x "$medai" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

MEDAI_LOG_LEVEL=warn MEDAI_DICOM_ENABLED=false "$medai" serve --port 0 --data-dir "$work/var" \
  --ready-file "$work/medai.port" >"$work/medai.out" 2>"$work/medai.err" &
pid=$!
for _ in $(seq 300); do [ -s "$work/medai.port" ] && break; sleep 0.1; done
port=$(head -1 "$work/medai.port")
url="http://127.0.0.1:$port"
adm() { "$medai" admin "$@" --data-dir "$work/var" >/dev/null; }
adm create-institution --name medai-reference
adm create-institution --name hosp-a
adm create-user --username vendor --institution medai-reference --role partner
adm create-user --username admin-a --institution hosp-a --role institution_admin
adm create-user --username doc-a --institution hosp-a --role doctor
tok() { "$medai" admin issue-token --data-dir "$work/var" --user "$1"; }
vendor=$(tok vendor); admin_a=$(tok admin-a); doc=$(tok doc-a)

/usr/bin/python3 - "$work/model.json" <<'PY'
import sys, numpy as np, xgboost as xgb
rng = np.random.default_rng(1)
n = 200  # Pima.tr size
x = np.column_stack([rng.integers(0, 8, n), rng.normal(120, 30, n), rng.normal(72, 10, n), rng.normal(29, 9, n),
                     rng.normal(32, 6, n), rng.uniform(0.1, 1.5, n), rng.uniform(21, 70, n)])
logit = 0.04 * (x[:, 1] - 120) + 0.1 * (x[:, 4] - 32) + 0.03 * (x[:, 6] - 40)
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float)
booster = xgb.train({"objective": "binary:logistic", "max_depth": 3, "eta": 0.1, "nthread": 1},
                    xgb.DMatrix(x, label=y), num_boost_round=100)
booster.save_model(sys.argv[1])
PY
"$medai" app keygen --out "$work/vendor" >/dev/null
"$medai" app register-key --public-key "$work/vendor.pub.json" --name bench --server "$url" --token "$vendor" >/dev/null
scripts/build_diabetes_app.sh --model "$work/model.json" -o "$work/app.medai" --key "$work/vendor.key.json" --medai "$medai" >/dev/null
"$medai" app publish "$work/app.medai" --server "$url" --token "$vendor" >/dev/null
curl -sf -X PUT -H "Authorization: Bearer $vendor" -H 'Content-Type: application/json' \
  -d '{"public": false, "institutions": ["hosp-a"]}' "$url/api/v1/apps/diabetes-advice/visibility" >/dev/null
"$medai" app approve diabetes-advice 1.0.0 --server "$url" --token "$admin_a" >/dev/null

diagnosed='{"age": 67, "sex": "female", "diagnosed_t2d": true, "hba1c": {"value": 64, "unit": "mmol/mol"}, "egfr": 41, "bmi": 33, "sbp": 142, "dbp": 84, "conditions": {"ascvd": true, "heart_failure": false, "ckd": true}, "medications": ["metformin", "sulfonylurea"], "hypoglycaemia_history": true}'
screening='{"age": 45, "sex": "female", "diagnosed_t2d": false, "bmi": 34, "ogtt_2h_glucose": {"value": 160, "unit": "mg/dL"}, "dbp": 78, "pregnancies": 3, "diabetes_pedigree": 0.6, "triceps_skinfold_mm": 30}'
# Sanity: both answer 200 before measuring.
for body in "$diagnosed" "$screening"; do
  code=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H "Authorization: Bearer $doc" -H 'Content-Type: application/json' \
    -d "$body" "$url/api/v1/apps/diabetes-advice/infer")
  [ "$code" = 200 ] || { echo "infer answered $code: $(cat "$work/answer.json")" >&2; exit 1; }
done

run() {  # name body
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$2]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $doc"
LUA
  local out rps p50 p99 errors
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "$url/api/v1/apps/diabetes-advice/infer")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Socket errors|Non-2xx" <<<"$out" | tr '\n' ' ' || true)
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errors:-none}"
}

echo "wrk -t2 -c$connections -d${duration}s, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| call | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
run "diagnosed patient (65 rules, JSON out)" "$diagnosed"
run "undiagnosed patient (rules + XGBoost 100 trees + SHAP)" "$screening"

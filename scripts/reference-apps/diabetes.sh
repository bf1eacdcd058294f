#!/usr/bin/env bash
# Builds the reference diabetes-advice app: the risk model is trained by the
# platform's training service (XGBoost on R MASS Pima.tr, reported on the
# published Pima.te split, seed 7), packaged with the guideline rules
# (scripts/build_diabetes_app.sh), signed with the reference key, published
# to a throwaway server (the same checks an upload gets) and written to
# apps/diabetes-advice/diabetes-advice-<version>.medai with the training
# report in docs/apps/diabetes-advice-evaluation.{json,html}.
#
#   scripts/reference-apps/diabetes.sh [version]     (after scripts/build.sh release medai)
# Environment: MEDAI_REFERENCE_KEY (secret key file; default /work/keys/medai-reference.key.json).
source "$(dirname "$0")/common.sh"
version="${1:-1.0.0}"
out_dir="$REF_ROOT/apps/diabetes-advice"
docs="$REF_ROOT/docs/apps"
mkdir -p "$docs"
ref_start_server
MEDAI_TOKEN="$REF_ADMIN" "$MEDAI" data import-reference >/dev/null
dataset=$(curl -sf -H "Authorization: Bearer $REF_DEV" "$REF_URL/api/v1/datasets?limit=1000" |
  /usr/bin/python3 -c 'import json,sys; print([d["id"] for d in json.load(sys.stdin)["items"] if d["name"] == "pima-diabetes-mass"][0])')
job=$("$MEDAI" train --dataset "$dataset" --architecture xgboost --seed 7 --threads 1 \
  --hyper '{"rounds": 300, "max_depth": 3, "eta": 0.05}' | ref_job_id)
"$MEDAI" train report "$job" --out "$docs/diabetes-advice-evaluation.json"
"$MEDAI" train report "$job" --html --out "$docs/diabetes-advice-evaluation.html"
"$MEDAI" train package "$job" --name diabetes-advice --version "$version" -o "$REF_WORK/risk.medai" >/dev/null
/usr/bin/python3 -c "import sys, zipfile; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read('model/model.json'))" \
  "$REF_WORK/risk.medai" "$REF_WORK/model.json"
package="$out_dir/diabetes-advice-$version.medai"
"$REF_ROOT/scripts/build_diabetes_app.sh" --model "$REF_WORK/model.json" --report "$docs/diabetes-advice-evaluation.json" \
  -o "$package" --version "$version" --vendor medai-reference --key "$REF_KEY" --medai "$MEDAI" >/dev/null
"$MEDAI" app verify "$package" --public-key "$REF_PUB" --vendor medai-reference >/dev/null
"$MEDAI" app publish "$package" >/dev/null   # the server's gate: signature, manifest, hashes, check run
/usr/bin/python3 - "$docs/diabetes-advice-evaluation.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["splits"]["test"]
print(f"diabetes-advice risk model: Pima.te ROC AUC {t['auc']:.4f} (95% CI {t['auc_ci']['lower']:.4f}-{t['auc_ci']['upper']:.4f}), {t['cases']} cases")
PY
echo "$package"

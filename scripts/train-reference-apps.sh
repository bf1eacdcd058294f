#!/usr/bin/env bash
# Rebuilds the reference apps shipped in apps/ (the packages `medai serve
# --demo` installs) with the platform's own commands: each app's script in
# scripts/reference-apps/ starts a throwaway server, generates or imports its
# data (`medai synth --to --dataset`, `medai data import-reference`), trains
# (`medai train`), evaluates (`medai evaluate`), and signs and publishes
# (`medai train publish` / `medai app sign`). Seeds are fixed, so a rerun
# gives the same models and reports. Reports go to docs/apps/.
#
#   scripts/train-reference-apps.sh [app ...]     (default: every app)
# Apps: diabetes, lung, mammo, rt. Needs the reference signing key
# (MEDAI_REFERENCE_KEY, default /work/keys/medai-reference.key.json); CI does
# not retrain, it verifies the committed packages (tests/reference_apps).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh release medai
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(diabetes lung mammo rt)
for app in "${apps[@]}"; do
  script="scripts/reference-apps/$app.sh"
  [ -x "$script" ] || { echo "no script for $app ($script)" >&2; exit 2; }
  echo "== $app"
  start=$(date +%s)
  "$script"
  echo "== $app done in $(( $(date +%s) - start )) s"
done

#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: builds medai and the portal, then runs
# the portal's browser tests (tests/browser/portal_test.mjs, research_test.mjs, admin_test.mjs) with
# MEDAI_SCREENSHOTS set, so the pictures show exactly what the test checked
# (generated data, a real app run, real pixels).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh release medai
./scripts/build-web.sh
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund)
fi
# login, worklist(-zh), viewer, viewer-rtstruct, viewer-mammo(-zh), advice, app-catalog, admin
MEDAI_SCREENSHOTS="$PWD/docs/screenshots" node tests/browser/portal_test.mjs --medai build/release/src/cli/medai
# research-datasets.png, research-training(-zh).png, research-evaluation.png
MEDAI_SCREENSHOTS="$PWD/docs/screenshots" node tests/browser/research_test.mjs --medai build/release/src/cli/medai
# admin-nodes(-zh).png, admin-tokens.png, admin-health(-zh).png (the Chinese
# pages need a CJK font: fonts-noto-cjk, scripts/install-deps.sh; the tests fail on tofu)
MEDAI_SCREENSHOTS="$PWD/docs/screenshots" node tests/browser/admin_test.mjs --medai build/release/src/cli/medai
ls -l docs/screenshots

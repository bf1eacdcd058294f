#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test
# (unit and integration; integration tests start the real server on port 0).
# Exits non-zero on any failure. Set MEDAI_TEST_PRESET=debug for ASan/UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${MEDAI_TEST_PRESET:-release}"
./scripts/install-deps.sh
# npm packages of the OHIF browser test (@ohif/app's prebuilt dist and
# playwright-core, pinned in tests/browser/package-lock.json; 6-13 s, 213 MB).
# Without npm the test reports itself skipped.
if command -v npm >/dev/null && [ ! -f tests/browser/node_modules/.package-lock.json -o \
     tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund)
fi
# The web portal (web/dist), tested by tests/browser/portal_test.mjs.
./scripts/build-web.sh
start=$(date +%s)
./scripts/build.sh "$preset"
echo "test.sh: build took $(( $(date +%s) - start )) s"
ctest --preset "$preset" -j 2 --output-on-failure

#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test
# (unit and integration; integration tests start the real server on port 0).
# Exits non-zero on any failure. Set MEDAI_TEST_PRESET=debug for ASan/UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${MEDAI_TEST_PRESET:-release}"
./scripts/install-deps.sh
start=$(date +%s)
./scripts/build.sh "$preset"
echo "test.sh: build took $(( $(date +%s) - start )) s"
ctest --preset "$preset" -j 2 --output-on-failure

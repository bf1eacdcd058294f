#!/usr/bin/env bash
# Configures and builds one preset (release by default) with Ninja and ccache.
# Usage: scripts/build.sh [release|debug] [ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
jobs="${MEDAI_BUILD_JOBS:-2}"
# ccache keys on relative paths below the checkout, so clones in other
# folders (worktrees, CI checkouts) reuse each other's objects.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs" ${@:+--target "$@"}

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
# The build type carries -g, and ccache would otherwise also key on the
# checkout's folder (hash_dir): off, so the debug info names the folder of
# whichever checkout compiled an object first.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs" ${@:+--target "$@"}

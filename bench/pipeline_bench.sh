#!/usr/bin/env bash
# Imaging pipeline stage times for the lung app's budget (issue #7: a
# 512x512x300 chest CT from stored DICOM to results in <= 20 s on 2 cores).
# Makes a 300-slice synthetic 512x512 chest CT (the generator behind
# `medai synth chest-ct`, called through its C++ API), then runs
# bench/pipeline_bench.cc on its CT series: load (DICOM -> HU volume),
# resample to 1 mm, window, sliding window (64^3 patches, overlap 0.5,
# Gaussian blending, trivial model), post-processing (threshold, components,
# measure). Prints one JSON line per run; the best run per stage goes into
# docs/benchmarks.md. No peer: absolute times.
#
#   bench/pipeline_bench.sh [runs] [patch] [overlap]
#   (needs: scripts/build.sh release pipeline_bench)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
patch="${2:-64}"
overlap="${3:-0.5}"
bench=./build/release/bench/pipeline_bench
[ -x "$bench" ] || { echo "build first: scripts/build.sh release pipeline_bench" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
series="$work/ct"
"$bench" --make-ct "$series" 300 >&2
echo "# $(nproc) cores, $(find "$series" -name '*.dcm' | wc -l) slices in $series" >&2
for _ in $(seq 1 "$runs"); do
  # Drop nothing from the page cache (not root): the first run reads from disk, later ones from cache.
  "$bench" "$series" "$patch" "$overlap" 2
done

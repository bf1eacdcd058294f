#!/usr/bin/env bash
# Lung-nodule screening app on a full-size chest CT (issue #7 target: a
# 512x512x300 scan from stored DICOM to stored results in <= 20 s on 2 cores),
# stage by stage: load, pre-process + inference, post-process, write
# (bench/lung_app_bench.cc). The scan is `medai synth chest-ct --slices 300`
# (real DICOM on disk); the model is the committed package's.
#
#   bench/lung_app_bench.sh [runs] [package.medai] [slices]
#   (needs: scripts/build.sh release medai lung_app_bench)
# slices (default 300): 1000 gives the huge-series memory check (issue #7:
# a 1,000-slice scan must stay under 4 GiB resident); each run prints its
# peak resident memory (/usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-2}"
package="${2:-$(ls apps/lung-nodule-screening/lung-nodule-screening-*.medai | sort -V | tail -1)}"
slices="${3:-300}"
bench=./build/release/bench/lung_app_bench
medai=./build/release/src/cli/medai
[ -x "$bench" ] || { echo "build first: scripts/build.sh release medai lung_app_bench" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$package" "$work/app"
model="$(find "$work/app" -name '*.pt' | head -1)"
"$medai" synth chest-ct --seed 4711 --count 1 --slices "$slices" --threads 2 --out "$work/scan" >&2
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(ls "$work"/scan/*/ct | wc -l) slices" >&2
for _ in $(seq 1 "$runs"); do
  /usr/bin/time -f "# peak resident memory: %M KiB, wall %e s" \
    "$bench" "$work"/scan/chest-ct-0001/ct "$model" "$work/app/manifest.json" "$work/out" 2
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

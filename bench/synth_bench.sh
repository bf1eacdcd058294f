#!/usr/bin/env bash
# Synthetic-study generation speed: a 300-slice 512x512 chest CT (generate +
# write CT series + SEG + JSON) and a full-resolution 4-view mammography exam
# (2000x1600, generate + write), each through `medai synth`, timed with
# /usr/bin/time -v. Targets (issue 4): chest CT < 5 s, mammography < 2 s.
# Prints a Markdown table for docs/benchmarks.md.
#
#   bench/synth_bench.sh [runs]     (needs a release build: scripts/build.sh release medai)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
medai=./build/release/src/cli/medai
[ -x "$medai" ] || { echo "build first: scripts/build.sh release medai" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # name, target seconds, command...
  local name=$1 target=$2
  shift 2
  local best="" rss="" cpu=""
  for seed in $(seq 1 "$runs"); do
    rm -rf "$work/out"
    /usr/bin/time -v "$@" --seed "$seed" --out "$work/out" >/dev/null 2>"$work/time.txt"
    local wall user sys mem
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); print t[1] * 60 + t[2]}' "$work/time.txt")
    user=$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")
    sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")
    mem=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    if [ -z "$best" ] || awk "BEGIN {exit !($wall < $best)}"; then
      best=$wall
      cpu=$(awk "BEGIN {printf \"%.2f\", $user + $sys}")
      rss=$((mem / 1024))
    fi
  done
  local verdict="met"
  awk "BEGIN {exit !($best >= $target)}" && verdict="missed"
  echo "| $name | ${best} s | ${cpu} s | ${rss} MiB | < ${target} s: $verdict |"
}

echo "| study | best wall of $runs (seeds 1..$runs) | CPU (user+sys) | max RSS | target |"
echo "|---|---|---|---|---|"
measure "chest CT, 300 slices 512x512 + SEG + JSON" 5 "$medai" synth chest-ct --slices 300 --count 1
measure "mammography exam, 4 views 2000x1600 + masks + JSON" 2 "$medai" synth mammo --count 1
echo
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"

#!/usr/bin/env bash
# Training benchmark (issue 6): the same 3-D U-Net (2 levels, 8-16-32
# channels, 64³ patches, batch 2) and 2-D classifier (4 stages 16-128
# channels, 256×256, batch 8) trained with medai's LibTorch trainer pieces
# (bench/train_bench.cc) and with PyTorch 1.13 from Debian
# (bench/train_bench.py), same threads, one inter-op thread, interleaved for
# ROUNDS rounds on a possibly busy machine. Each run is wrapped in
# /usr/bin/time -v for its peak RSS. Table: median samples/s and peak RSS per
# program, ratios medai / PyTorch, medai's loader share of step time.
# Targets: samples/s ratio ≥ 1.1, RSS ratio ≤ 1.0.
#
# medai's executables run on tcmalloc (docs/adr/0020); PyTorch as shipped runs
# on glibc's malloc. For transparency the script also runs PyTorch with
# tcmalloc preloaded (LD_PRELOAD, a tuning few Python users apply) and prints
# that ratio beside the one against PyTorch as shipped.
#
#   bench/train_bench.sh [threads=2] [rounds=3] [unet_steps=6] [resnet_steps=10]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}" rounds="${2:-3}" unet_steps="${3:-6}" resnet_steps="${4:-10}"
bin=./build/release/bench/train_bench
[ -x "$bin" ] || { echo "build first: scripts/build.sh release train_bench" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "threads $threads, rounds $rounds, steps unet3d $unet_steps / resnet2d $resnet_steps (2 warm-up)" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -e "$tcmalloc" ] || { echo "missing $tcmalloc (scripts/install-deps.sh)" >&2; exit 1; }
run() {  # program model steps
  local out="$work/out.json" tv="$work/time.txt"
  case "$1" in
    medai) /usr/bin/time -v "$bin" "$2" "$threads" 2 "$3" >"$out" 2>"$tv" ;;
    pytorch) /usr/bin/time -v /usr/bin/python3 bench/train_bench.py "$2" "$threads" 2 "$3" >"$out" 2>"$tv" ;;
    pytorch+tcmalloc) LD_PRELOAD="$tcmalloc" /usr/bin/time -v /usr/bin/python3 bench/train_bench.py "$2" "$threads" 2 "$3" \
      >"$out" 2>"$tv" ;;
  esac
  local rss
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$tv")
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["peak_rss_kb"]=int(sys.argv[2]); d["program"]=sys.argv[3]; print(json.dumps(d))' \
    "$out" "$rss" "$1" | tee -a "$work/results.jsonl" >&2
}
: >"$work/results.jsonl"
for r in $(seq 1 "$rounds"); do
  for model in unet3d resnet2d; do
    steps=$unet_steps; [ "$model" = resnet2d ] && steps=$resnet_steps
    for program in medai pytorch pytorch+tcmalloc; do run "$program" "$model" "$steps"; done
  done
done
/usr/bin/python3 - "$work/results.jsonl" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"load average after: {sys.argv[2]}")
print("| model | medai samples/s | PyTorch samples/s | ratio | medai peak RSS MiB | PyTorch peak RSS MiB | RSS ratio | medai loader share | PyTorch+tcmalloc samples/s | ratio | PyTorch+tcmalloc peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for model in ("unet3d", "resnet2d"):
    def med(prog, key):
        return statistics.median(r[key] for r in rows if r["program"] == prog and r["model"] == model)
    ms, ps = med("medai", "samples_per_second"), med("pytorch", "samples_per_second")
    mr, pr = med("medai", "peak_rss_kb") / 1024, med("pytorch", "peak_rss_kb") / 1024
    ts, tr = med("pytorch+tcmalloc", "samples_per_second"), med("pytorch+tcmalloc", "peak_rss_kb") / 1024
    print(f"| {model} | {ms:.2f} | {ps:.2f} | {ms / ps:.2f} | {mr:.0f} | {pr:.0f} | {mr / pr:.2f} | {med('medai', 'loader_wait_fraction'):.3f} "
          f"| {ts:.2f} | {ms / ts:.2f} | {tr:.0f} |")
PY

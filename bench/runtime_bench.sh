#!/usr/bin/env bash
# Runtime overhead benchmark (issue 5): one 3-D U-Net-sized TorchScript model
# (written by runtime_bench_medai write-unet) run three ways with the same
# input, the same thread count and one inter-op thread:
#   libtorch  a minimal LibTorch program (jit::load, InferenceMode, forward)
#   medai     ModelRepository + torchscript ModelRuntime, end to end
#             (input vector in, output vector out, as jobs and /v2 use it)
#   pytorch   /usr/bin/python3 with python3-torch 1.13 (torch.jit.load)
# The three run interleaved for ROUNDS rounds (noisy shared machine); the
# table shows the median over rounds of each program's median time per
# inference. Targets: medai/libtorch <= 1.05; pytorch/medai time >= 1.0.
#
#   bench/runtime_bench.sh [side=64] [threads=2] [rounds=3] [iters=10] [base_channels=16]
set -euo pipefail
cd "$(dirname "$0")/.."
side="${1:-64}" threads="${2:-2}" rounds="${3:-3}" iters="${4:-10}" base="${5:-16}"
bin=./build/release/bench
[ -x "$bin/runtime_bench_medai" ] && [ -x "$bin/runtime_bench_libtorch" ] || {
  echo "build first: scripts/build.sh release runtime_bench_medai runtime_bench_libtorch" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model="$work/unet3d.pt"
"$bin/runtime_bench_medai" write-unet "$model" "$base"
warmup=2
echo "model: 3-D U-Net base $base channels, input [1,1,$side,$side,$side], threads $threads, $iters timed iterations after $warmup warm-up, $rounds rounds" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: >"$work/results.jsonl"
for r in $(seq 1 "$rounds"); do
  "$bin/runtime_bench_libtorch" "$model" "$side" "$threads" "$warmup" "$iters" | tee -a "$work/results.jsonl" >&2
  "$bin/runtime_bench_medai" run "$model" "$side" "$threads" "$warmup" "$iters" | tee -a "$work/results.jsonl" >&2
  /usr/bin/python3 bench/runtime_bench_torch.py "$model" "$side" "$threads" "$warmup" "$iters" | tee -a "$work/results.jsonl" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$work/results.jsonl" "$load_after" "$side" "$threads" "$base" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = {p: statistics.median(r["median_ms"] for r in rows if r["program"] == p) for p in ("libtorch", "medai", "pytorch")}
sums = {p: [r["checksum"] for r in rows if r["program"] == p][0] for p in med}
print(f"| program | median ms / inference | relative to libtorch |")
print(f"|---|---|---|")
for p in ("libtorch", "medai", "pytorch"):
    print(f"| {p} | {med[p]:.1f} | {med[p] / med['libtorch']:.3f} |")
print()
print(f"medai overhead vs LibTorch: {100 * (med['medai'] / med['libtorch'] - 1):+.1f}% (target <= +5%)")
print(f"medai throughput vs PyTorch: {med['pytorch'] / med['medai']:.3f}x (target >= 1.0x)")
print(f"output checksums (same model, same input): " + ", ".join(f"{p} {sums[p]:.3f}" for p in sums))
print(f"load average after: {sys.argv[2]}; side {sys.argv[3]}, threads {sys.argv[4]}, base channels {sys.argv[5]}")
PY

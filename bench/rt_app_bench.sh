#!/usr/bin/env bash
# Speed of the rt-auto-contouring app on full-size planning CTs (issue #7:
# <= 30 s per planning CT on 2 cores): generates N planning CTs (512 x 512,
# 2-2.5 mm slices, seed fixed), runs the committed package on each through the
# same runner app.run uses (`medai evaluate --package … --no-baseline`), and
# prints the per-plan time with its stages (load, pre-processing, inference,
# post-processing, result objects) and the load average before and after.
# Usage: bench/rt_app_bench.sh [plans=3] [threads=2]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
medai="${MEDAI_BINARY:-$here/build/release/src/cli/medai}"
plans="${1:-3}" threads="${2:-2}"
package="$(ls "$here/apps/rt-auto-contouring/"*.medai | head -1)"
work="$(mktemp -d /tmp/rt-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$medai" synth rt --seed 31337 --count "$plans" --out "$work/plans" --threads "$threads" >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$medai" evaluate --package "$package" --studies "$work/plans" --no-baseline --threads "$threads" \
  --out "$work/report.json" >/dev/null
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
stages = ["loading the series", "pre-processing", "inference", "post-processing", "building results",
          "writing structures"]
print("plan      size           total s  " + "  ".join(s.split()[0][:9].ljust(9) for s in stages))
for c in r["cases"]:
    st = c.get("stage_seconds", {})
    size = "x".join(str(v) for v in c.get("ct_size", []))
    print(f"{c['case']:<9} {size:<14} {c['seconds']:7.2f}  " + "  ".join(f"{st.get(s, 0):9.2f}" for s in stages))
d = r["splits"]["test"]["segmentation"]["seconds_per_case"]
print(f"median {d['median']:.2f} s, max {d['max']:.2f} s per planning CT (target <= 30 s)")
PY

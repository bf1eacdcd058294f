#!/usr/bin/env bash
# DICOM ingest side by side: medai vs Orthanc 1.10 (SQLite index, DICOMweb
# plugin) on the same machine, files and requests, in one run:
#   - DIMSE: `storescu` sends N CT instances (512x512, 4 series) in one association
#   - STOW-RS: the same instances in multipart/related requests of 50 (curl, empty Expect:)
#   - the disk's fair bound: one file per instance written with fsync
#   - WADO-RS retrieve of one series (multipart/related) from each server
# Everything runs inside a private network namespace (Orthanc 1.10 binds
# 0.0.0.0 whatever its configuration). storescu and both servers get the same
# TCP_NODELAY=1 environment (Debian's DCMTK keeps Nagle on otherwise).
# Prints a Markdown table for docs/benchmarks.md.
#
#   bench/dicom_ingest_bench.sh [count]     (root; needs a release build: scripts/build.sh release)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
if [ "${MEDAI_BENCH_IN_NETNS:-}" != 1 ]; then
  exec unshare --net env MEDAI_BENCH_IN_NETNS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
export TCP_NODELAY=1
medai=$PWD/build/release/src/cli/medai
[ -x "$medai" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }

work=$(mktemp -d /var/tmp/medai-ingest-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

/usr/bin/python3 bench/make_ct_instances.py "$work/data" --count "$count" --stow-batch 50 >/dev/null
files="$work/data/files"
mb=$(du -sm "$files" | cut -f1)
sync

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }

disk=$(/usr/bin/python3 bench/disk_fsync_bound.py "$files" "$work/disk")
disk_files=${disk% *}
disk_mb=${disk#* }
rm -rf "$work/disk"

boundary=medai-bench-boundary-7f3a9c
# All requests from one curl process over one keep-alive connection (`--next`),
# as a PACS or gateway sends: what is timed is the server, not starting a
# client process per request (about 100 ms each here, the same for both servers).
stow_all() {  # url [auth header]
  local b args=()
  for b in "$work"/data/stow/*.mp; do
    [ ${#args[@]} -gt 0 ] && args+=(--next)
    args+=(-sS -f -o /dev/null -H 'Expect:' ${2:+-H "$2"}
      -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$boundary"
      --data-binary @"$b" "$1")
  done
  curl --fail-early "${args[@]}"
}

orthanc_start() {  # name http_port dicom_port
  mkdir -p "$work/$1"
  cat >"$work/$1.json" <<JSON
{ "Name": "$1", "StorageDirectory": "$work/$1", "IndexDirectory": "$work/$1",
  "HttpPort": $2, "DicomPort": $3, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomCheckCalledAet": false, "StorageCompression": false,
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
  Orthanc "$work/$1.json" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$2/system" >/dev/null && return 0; sleep 0.1; done
  echo "Orthanc did not start" >&2; exit 1
}
orthanc_count() { curl -sf "http://127.0.0.1:$1/statistics" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])'; }

# Orthanc over DIMSE, then a fresh Orthanc over STOW-RS.
orthanc_start orthanc_dimse 18042 14242
t0=$(now); storescu -R -aet BENCH -aec ORTHANC +sd +r +sp '*.dcm' 127.0.0.1 14242 "$files"; t1=$(now)
orthanc_dimse=$(rate "$count" "$t0" "$t1"); [ "$(orthanc_count 18042)" = "$count" ] || echo "warning: Orthanc DIMSE stored $(orthanc_count 18042)" >&2
orthanc_start orthanc_stow 18043 14243
t0=$(now); stow_all "http://127.0.0.1:18043/dicom-web/studies"; t1=$(now)
orthanc_stow=$(rate "$count" "$t0" "$t1"); [ "$(orthanc_count 18043)" = "$count" ] || echo "warning: Orthanc STOW stored $(orthanc_count 18043)" >&2

# medai: one server per path (fresh data folder each), the bench AE registered as a remote node.
medai_start() {  # name dicom_port
  MEDAI_LOG_LEVEL=warn MEDAI_DICOM_PORT=$2 "$medai" serve --port 0 --data-dir "$work/$1" \
    --ready-file "$work/$1.port" >"$work/$1.out" 2>"$work/$1.err" &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$work/$1.port" ] && break; sleep 0.1; done
  [ -s "$work/$1.port" ] || { echo "medai did not start" >&2; cat "$work/$1.err" >&2; exit 1; }
}
medai_dimse="n/a"; medai_stow="n/a"
medai_start medai_dimse 14244
"$medai" dicom nodes add --data-dir "$work/medai_dimse" --name bench --ae BENCH --host 127.0.0.1 --port 1 \
  --institution platform >/dev/null
t0=$(now); storescu -R -aet BENCH -aec MEDAI +sd +r +sp '*.dcm' 127.0.0.1 14244 "$files"; t1=$(now)
medai_dimse=$(rate "$count" "$t0" "$t1")
medai_start medai_stow 14245
token=$("$medai" admin issue-token --data-dir "$work/medai_stow" --user admin --name bench)
port=$(head -1 "$work/medai_stow.port")
t0=$(now); stow_all "http://127.0.0.1:$port/dicom-web/studies" "Authorization: Bearer $token"; t1=$(now)
medai_stow=$(rate "$count" "$t0" "$t1")

# WADO-RS retrieve of the first series (count/4 instances) from the STOW-loaded servers: best of 3.
read -r study series < <(/usr/bin/python3 -c "import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); print(d.StudyInstanceUID, d.SeriesInstanceUID)" "$files/ct00000.dcm")
wado() {  # url [auth header] -> MB/s
  local best=0 out
  for _ in 1 2 3; do
    out=$(curl -sS -f -o /dev/null -w '%{size_download} %{time_total}' \
      -H 'Accept: multipart/related; type="application/dicom"' ${2:+-H "$2"} "$1")
    best=$(awk -v o="$out" -v b="$best" 'BEGIN { split(o, a, " "); r = a[1] / a[2] / 1e6; print (r > b ? r : b) }')
  done
  printf '%.0f' "$best"
}
orthanc_wado=$(wado "http://127.0.0.1:18043/dicom-web/studies/$study/series/$series")
medai_wado=$(wado "http://127.0.0.1:$port/dicom-web/studies/$study/series/$series" "Authorization: Bearer $token")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo "$count CT instances (512x512, $mb MB), $(nproc) cores, $(date -u +%Y-%m-%d), TCP_NODELAY=1 for all"
echo
echo "| path | medai inst/s | Orthanc 1.10 inst/s | medai / Orthanc | medai / disk bound |"
echo "|---|---|---|---|---|"
echo "| DIMSE C-STORE (storescu, 1 association) | $medai_dimse | $orthanc_dimse | $(ratio "$medai_dimse" "$orthanc_dimse") | $(ratio "$medai_dimse" "$disk_files") |"
echo "| STOW-RS (50 per request) | $medai_stow | $orthanc_stow | $(ratio "$medai_stow" "$orthanc_stow") | $(ratio "$medai_stow" "$disk_files") |"
echo "| disk bound: one file per instance + fsync | $disk_files files/s, $disk_mb MB/s | | | |"
echo
echo "| WADO-RS series retrieve ($((count / 4)) instances, multipart) | medai MB/s | Orthanc MB/s | medai / Orthanc |"
echo "|---|---|---|---|"
echo "| best of 3 | $medai_wado | $orthanc_wado | $(ratio "$medai_wado" "$orthanc_wado") |"

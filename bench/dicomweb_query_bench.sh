#!/usr/bin/env bash
# QIDO-RS latency after loading many instances: medai vs Orthanc 1.10's
# DICOMweb plugin (SQLite index), same instances (sent with storescu in one
# association to each), same queries over one keep-alive connection, in one
# run inside a private network namespace. Prints a Markdown table.
#
#   bench/dicomweb_query_bench.sh [studies] [instances_per_series]   (default 1000 x 4 x 25 = 100,000)
set -euo pipefail
cd "$(dirname "$0")/.."
studies="${1:-1000}"
per_series="${2:-25}"
repeat="${MEDAI_BENCH_REPEAT:-50}"
if [ "${MEDAI_BENCH_IN_NETNS:-}" != 1 ]; then
  exec unshare --net env MEDAI_BENCH_IN_NETNS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
export TCP_NODELAY=1
medai=$PWD/build/release/src/cli/medai
[ -x "$medai" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
work=$(mktemp -d /var/tmp/medai-qido-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

count=$(/usr/bin/python3 bench/make_index_instances.py "$work/data" --studies "$studies" --instances "$per_series")

mkdir -p "$work/orthanc"
cat >"$work/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$work/orthanc", "IndexDirectory": "$work/orthanc",
  "HttpPort": 18052, "DicomPort": 14252, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomCheckCalledAet": false, "StorageCompression": false,
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
Orthanc "$work/orthanc.json" >"$work/orthanc.log" 2>&1 &
pids+=($!)
MEDAI_LOG_LEVEL=warn MEDAI_DICOM_PORT=14253 "$medai" serve --port 0 --data-dir "$work/medai" \
  --ready-file "$work/medai.port" >"$work/medai.out" 2>"$work/medai.err" &
pids+=($!)
for _ in $(seq 300); do
  [ -s "$work/medai.port" ] && curl -sf http://127.0.0.1:18052/system >/dev/null && break
  sleep 0.1
done
port=$(head -1 "$work/medai.port")
"$medai" dicom nodes add --data-dir "$work/medai" --name bench --ae BENCH --host 127.0.0.1 --port 1 \
  --institution platform >/dev/null
token=$("$medai" admin issue-token --data-dir "$work/medai" --user admin --name bench)

storescu -R -aet BENCH -aec ORTHANC +sd +r +sp '*.dcm' 127.0.0.1 14252 "$work/data" >/dev/null 2>&1
storescu -R -aet BENCH -aec MEDAI +sd +r +sp '*.dcm' 127.0.0.1 14253 "$work/data" >/dev/null 2>&1

study=$(/usr/bin/python3 -c "import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); print(d.StudyInstanceUID, d.SeriesInstanceUID)" "$work/data/s$(printf %05d $((studies > 123 ? 123 : studies - 1)))/0_0000.dcm")
series=${study#* }; study=${study% *}
queries=(
  "/dicom-web/studies?limit=100"
  "/dicom-web/studies?PatientID=PID$(printf %06d $(((studies > 123 ? 123 : studies - 1) / 2)))"
  "/dicom-web/studies?PatientName=Wang*&limit=100"
  "/dicom-web/studies?StudyDate=20200101-20201231&limit=100"
  "/dicom-web/studies/$study/series"
  "/dicom-web/studies/$study/series/$series/instances"
)
names=("all studies, first 100" "exact PatientID" "PatientName wildcard" "StudyDate range" "series of a study" "instances of a series")
mapfile -t o < <(/usr/bin/python3 bench/http_latency.py 18052 "$repeat" "${queries[@]}")
mapfile -t m < <(/usr/bin/python3 bench/http_latency.py "$port" "$repeat" --header "Authorization: Bearer $token" "${queries[@]}")

echo "QIDO-RS after loading $count instances ($studies studies); median of $repeat requests on one keep-alive connection; $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| query | matches (medai / Orthanc) | medai median ms | Orthanc median ms | medai / Orthanc |"
echo "|---|---|---|---|---|"
for i in "${!queries[@]}"; do
  read -r mm _ _ mn <<<"${m[$i]}"
  read -r om _ _ on <<<"${o[$i]}"
  printf '| %s | %s / %s | %s | %s | %s |\n' "${names[$i]}" "$mn" "$on" "$mm" "$om" \
    "$(awk -v a="$mm" -v b="$om" 'BEGIN { printf "%.2f", a / b }')"
done

# Sourced by the reference-app training scripts (scripts/reference-apps/*.sh).
# Starts a throwaway medai server on a temporary data folder and creates the
# accounts the scripts act as, so training goes through the platform's own
# commands exactly as a vendor's would:
#   institution medai-reference: user ref-dev (researcher + partner)
#   institution platform:        user ref-admin (platform admin)
# Sets: MEDAI (binary), REF_WORK (temp folder), REF_URL, REF_DEV, REF_ADMIN
# (tokens) and exports MEDAI_SERVER / MEDAI_TOKEN (= REF_DEV) for the CLI.
# The server and the folder are removed on exit (ref_keep=1 keeps the folder).
set -euo pipefail
REF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MEDAI="${MEDAI_BINARY:-$REF_ROOT/build/release/src/cli/medai}"
[ -x "$MEDAI" ] || { echo "build first: scripts/build.sh release medai" >&2; exit 1; }
REF_KEY="${MEDAI_REFERENCE_KEY:-/work/keys/medai-reference.key.json}"
REF_PUB="$REF_ROOT/apps/medai-reference.pub.json"
REF_WORK="$(mktemp -d "${TMPDIR:-/tmp}/medai-ref.XXXXXX")"
ref_server_pid=""
ref_cleanup() {
  if [ -n "$ref_server_pid" ]; then kill "$ref_server_pid" 2>/dev/null || true; wait "$ref_server_pid" 2>/dev/null || true; fi
  [ "${ref_keep:-0}" = 1 ] || rm -rf "$REF_WORK"
}
trap ref_cleanup EXIT

# ref_start_server [threads]: serve on a free port; waits until it listens.
ref_start_server() {
  MEDAI_LOG_LEVEL=warn MEDAI_DICOM_ENABLED=false "$MEDAI" serve --port 0 --data-dir "$REF_WORK/var" \
    --ready-file "$REF_WORK/port" >"$REF_WORK/server.out" 2>"$REF_WORK/server.err" &
  ref_server_pid=$!
  for _ in $(seq 600); do [ -s "$REF_WORK/port" ] && break; sleep 0.1; done
  [ -s "$REF_WORK/port" ] || { echo "the server did not start:" >&2; cat "$REF_WORK/server.err" >&2; exit 1; }
  REF_URL="http://127.0.0.1:$(head -1 "$REF_WORK/port")"
  adm() { "$MEDAI" admin "$@" --data-dir "$REF_WORK/var"; }
  adm create-institution --name medai-reference --display-name "medai reference apps" >/dev/null
  adm create-user --username ref-dev --institution medai-reference --role researcher --role partner >/dev/null
  adm create-user --username ref-admin --institution platform --role admin >/dev/null
  REF_DEV=$(adm issue-token --user ref-dev)
  REF_ADMIN=$(adm issue-token --user ref-admin)
  export MEDAI_SERVER="$REF_URL" MEDAI_TOKEN="$REF_DEV"
  [ -f "$REF_KEY" ] || { echo "no signing key at $REF_KEY (set MEDAI_REFERENCE_KEY; a new key needs a new apps/medai-reference.pub.json)" >&2; exit 1; }
  "$MEDAI" app register-key --public-key "$REF_PUB" --name "reference apps" >/dev/null
}

# ref_wait_job ID: follows a training job to its end; fails unless it succeeded.
ref_job_id() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

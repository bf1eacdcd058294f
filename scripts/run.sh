#!/usr/bin/env bash
# The main job: installs what is missing, builds, and starts `medai serve`
# on http://127.0.0.1:8142 with the embedded catalog (SQLite) and data in
# ./var, serving the web portal at /. On the first start it prints the
# administrator's one-time password.
# Extra arguments go to `medai serve` (e.g. --port 9000 --data-dir /srv/medai).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release medai
# The web portal at http://127.0.0.1:8142/ (web/dist; skipped without npm).
./scripts/build-web.sh
exec ./build/release/src/cli/medai serve --demo "$@"

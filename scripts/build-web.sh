#!/usr/bin/env bash
# Builds the web portal (web/ → web/dist, served by `medai serve` at /):
# `npm ci` when package-lock.json changed, `npm run build` (locale check,
# TypeScript check, Vite) when a source is newer than web/dist/index.html.
# Without npm it says so and exits 0: the server then runs without a portal
# (it logs "web.portal_disabled").
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
  echo "build-web.sh: npm not found; the portal is not built (the API works without it)" >&2
  exit 0
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi
if [ ! -f dist/index.html ] || [ -n "$(find src public index.html vite.config.ts tsconfig.json package-lock.json scripts \
     -newer dist/index.html -print -quit)" ]; then
  start=$(date +%s)
  # (Vite's notes about Node built-ins in Cornerstone's codecs are noise.)
  set +o pipefail
  npm run build --silent 2>&1 | { grep -v 'has been externalized for browser compatibility' || true; }
  status=${PIPESTATUS[0]}
  set -o pipefail
  if [ "$status" -ne 0 ] || [ ! -f dist/index.html ]; then echo "build-web.sh: portal build failed" >&2; exit 1; fi
  echo "build-web.sh: portal built in $(( $(date +%s) - start )) s"
fi

#!/usr/bin/env bash
# The demo on a fresh machine: starts Docker and builds the sandbox image when missing, builds
# OpsGuard, then repairs demo_repo by replaying the fix shipped with it (no API key needed).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-docker.sh
if [ ! -d node_modules ]; then
  echo "[demo] installing dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
npm run --silent sandbox:image
echo "[demo] replaying the fix shipped in demo_repo/fixes/app.py: no model is asked, Docker decides." >&2
node dist/bin/cli.js --repo demo_repo --error "ValueError: the app crashes on an invalid record" \
  --candidate demo_repo/fixes/app.py "$@"

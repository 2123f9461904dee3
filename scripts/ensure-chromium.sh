#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium, which the browser test of the HTML report
# drives through playwright-core (we use the distribution's build rather than downloading one).
set -euo pipefail

say() { echo "[ensure-chromium] $*" >&2; }

if [ -x /usr/bin/chromium ]; then
  say "/usr/bin/chromium is present; nothing to do."
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  say "/usr/bin/chromium is missing. Install it as root: sudo apt-get install -y chromium"
  exit 2
fi

log=${TMPDIR:-/tmp}/opsguard-ensure-chromium.log
say "installing Debian's chromium package (a minute or two; apt log: $log) ..."
# NEEDRESTART_SUSPEND keeps needrestart from prompting or complaining without a terminal.
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
if ! { apt-get update -qq && apt-get install -y -qq chromium; } >"$log" 2>&1; then
  say "apt-get failed; its output:"
  cat "$log" >&2
  exit 2
fi

if [ -x /usr/bin/chromium ]; then
  say "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
else
  say "apt-get finished but /usr/bin/chromium is still missing."
  exit 2
fi

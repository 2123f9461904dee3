#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a machine without one, installs Debian's docker.io (and
# mmdebstrap, which builds the sandbox image without a registry) and starts dockerd in the background.
set -euo pipefail

say() { echo "[ensure-docker] $*" >&2; }

if docker info >/dev/null 2>&1; then
  say "a Docker engine answers; nothing to do."
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ]; then
    say "no Docker engine here. Install one (Debian: sudo apt-get install -y docker.io mmdebstrap) and start it."
    exit 2
  fi
  say "installing docker.io and mmdebstrap from Debian's archive (about a minute) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io mmdebstrap >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ]; then
    say "dockerd is installed but not running. Start it (sudo systemctl start docker, or sudo dockerd &)."
    exit 2
  fi
  log=${TMPDIR:-/tmp}/opsguard-dockerd.log
  say "starting dockerd in the background (log: $log) ..."
  setsid dockerd >"$log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi

if docker info >/dev/null 2>&1; then
  say "Docker $(docker version --format '{{.Server.Version}}') is up."
else
  say "dockerd did not come up within 60 s; see ${TMPDIR:-/tmp}/opsguard-dockerd.log."
  exit 2
fi

#!/usr/bin/env bash
# Sets up a fresh clone: pnpm, the system packages the tests and the demo use (Prometheus,
# PostgreSQL for the PostgreSQL store's tests, Chromium for the report test) where apt is
# available, and the workspace dependencies.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "rollgate: Node.js 20 or newer is required (found $(node --version))." >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "rollgate setup: installing pnpm 10 with npm"
  npm install -g pnpm@10 >/dev/null
fi

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Debian keeps the server binaries out of PATH, in /usr/lib/postgresql/<version>/bin.
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || command -v postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd=(sudo)
    echo "rollgate setup: installing ${missing[*]} from Debian packages (apt-get)"
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "rollgate setup: apt-get not found; install ${missing[*]} yourself (tests that need them will fail)." >&2
  fi
fi
# The Debian packages start a Prometheus service on :9090 and a PostgreSQL cluster on :5432 where
# an init system runs; Rollgate's tests start their own on free loopback ports (PostgreSQL as the
# `postgres` user when run as root) and never use them.

echo "rollgate setup: installing workspace dependencies"
pnpm install --frozen-lockfile --reporter=silent

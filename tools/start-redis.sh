#!/usr/bin/env bash
# Makes sure Debian's redis-server (Redis >= 6.2, which BullMQ needs) is installed, for
# the @eddy/cluster tests: they start their own redis-server on 127.0.0.1 on a free port
# and stop it afterwards, so nothing is started here. Idempotent and quiet: prints one
# line, and the apt-get log only when the install fails.
set -euo pipefail

min_major=6
min_minor=2

version_ok() {
  local v major minor
  v=$(redis-server --version 2>/dev/null | sed -n 's/.* v=\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
  [ -n "$v" ] || return 1
  major=${v%%.*}
  minor=${v#*.}
  [ "$major" -gt "$min_major" ] || { [ "$major" -eq "$min_major" ] && [ "$minor" -ge "$min_minor" ]; }
}

if command -v redis-server >/dev/null 2>&1 && version_ok; then
  echo "redis-server: $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') (installed)"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "start-redis.sh: redis-server is missing and this user cannot install it (not root, no sudo): apt-get install redis-server" >&2
    exit 1
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "start-redis.sh: installing redis-server with apt-get failed" >&2
  exit 1
fi
# Debian's package may start a system service (where there is an init system); the tests
# do not use it.
if ! version_ok; then
  echo "start-redis.sh: redis-server $(redis-server --version 2>/dev/null) is older than ${min_major}.${min_minor} (BullMQ needs ${min_major}.${min_minor} or newer)" >&2
  exit 1
fi
echo "redis-server: $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') (installed now)"

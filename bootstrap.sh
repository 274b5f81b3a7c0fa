#!/usr/bin/env bash
# Set-up from nothing: a virtualenv with the project and its tools. Idempotent.
#   ./bootstrap.sh           the service and the CLI
#   ./bootstrap.sh --tests   also what the tests need: headless chromium, PostgreSQL running
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,spark]'

if [ "${1:-}" = "--tests" ]; then
  # Browser tests drive Debian's chromium (no browser download by Playwright).
  if [ ! -x /usr/bin/chromium ]; then
    if command -v apt-get >/dev/null; then
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 || {
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium
      }
    else
      echo "bootstrap: /usr/bin/chromium is missing and apt-get is not available" >&2
      exit 1
    fi
  fi
  # The tests run against PostgreSQL too (127.0.0.1:5432, database test).
  if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

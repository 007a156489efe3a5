#!/usr/bin/env bash
# The PostgreSQL registry tests start their own throwaway server; install Debian's PostgreSQL
# when its server programs are missing (CI runs as root). Nothing is started here.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Registry tests on PostgreSQL need its server: sudo apt-get install -y postgresql" >&2
  exit 1
fi
echo "[setup] installing PostgreSQL for the registry tests"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null

#!/usr/bin/env bash
# Browser tests run in Debian's Chromium; install it when missing (CI runs as root).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Browser tests need Chromium: sudo apt-get install -y chromium fonts-noto-cjk" >&2
  exit 1
fi
echo "[setup] installing Chromium for the browser tests"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null

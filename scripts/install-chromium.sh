#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing (Playwright's own download is not used).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Installing Debian's chromium for the browser tests..."
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "Chromium is missing at /usr/bin/chromium and this user cannot install it: run 'apt-get install chromium' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q chromium fonts-dejavu-core >/dev/null

#!/usr/bin/env bash
# Installs Debian's chromium for the browser suites, unless /usr/bin/chromium is already there.
# Browser downloads by test tools do not work here; playwright-core drives this binary instead.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium: present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "chromium: installing Debian's package"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation
/usr/bin/chromium --version 2>/dev/null | head -n1

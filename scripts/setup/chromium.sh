#!/usr/bin/env bash
# Installs Debian's chromium for the browser suites, unless /usr/bin/chromium is already there.
# Browser downloads by test tools do not work here; playwright-core drives this binary instead.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium: present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
    exit 0
fi

echo "chromium: installing Debian's package"
source "$(dirname "$0")/../lib/apt.sh"
apt_install chromium fonts-liberation
/usr/bin/chromium --version 2>/dev/null | head -n1

#!/usr/bin/env bash
# Installs Debian's redis-server for the tests of send limits shared through Redis, unless it is
# already there. The tests start their own servers on loopback and stop them.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
    echo "redis-server: present ($(redis-server --version | head -n1))"
    exit 0
fi

echo "redis-server: installing Debian's package"
source "$(dirname "$0")/../lib/apt.sh"
apt_install redis-server
redis-server --version | head -n1

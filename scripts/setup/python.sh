#!/usr/bin/env bash
# Creates the Python virtual environment .venv/ at the workspace root with the packages the
# tests use (the SMTP test runs an aiosmtpd server on loopback), pinned to exact versions.
# Does nothing when .venv already has them.
set -euo pipefail
cd "$(dirname "$0")/../.."

PACKAGES=(aiosmtpd==1.4.6 atpublic==9.0.0 attrs==26.1.0)
VENV=.venv
stamp="$VENV/.installed-packages"
wanted="${PACKAGES[*]}"

if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    echo "python venv: up to date ($wanted)"
    exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "error: python3 is missing; the SMTP test needs Python 3.9 or later" >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "python venv: creating $VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        # Debian ships venv support separately.
        rm -rf "$VENV"
        SUDO=""
        if [ "$(id -u)" -ne 0 ]; then
            SUDO="sudo"
        fi
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -q
        $SUDO apt-get install -y -q --no-install-recommends python3-venv
        python3 -m venv "$VENV"
    fi
fi

echo "python venv: installing $wanted"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${PACKAGES[@]}"
echo "$wanted" >"$stamp"

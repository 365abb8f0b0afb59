#!/usr/bin/env bash
# Creates the Python virtual environment .venv/ at the workspace root with the packages the
# tests use (the SMTP test runs an aiosmtpd server on loopback, the FDI fuzzing suite runs
# schemathesis), pinned to exact versions.
# Does nothing when .venv already has them.
set -euo pipefail
cd "$(dirname "$0")/../.."

PACKAGES=(aiosmtpd==1.4.6 atpublic==9.0.0 attrs==26.1.0
    # The FDI fuzzing suite (scripts/e2e/fdi-fuzz.sh): schemathesis and what it depends on.
    schemathesis==4.32.5 anyio==4.16.0 certifi==2026.10.19.post1 charset-normalizer==3.5.3
    click==8.5.1 graphql-core==3.3.2 harfile==0.6.0 hypothesis==6.170.27
    hypothesis-graphql==0.13.5 idna==3.21 iniconfig==2.3.1 jsonschema_rs==0.60.3
    markdown-it-py==4.3.0 MarkupSafe==3.0.4 mdurl==0.1.2 packaging==26.4 pluggy==1.7.0
    Pygments==2.21.0 pyrate-limiter==4.6.0 pytest==9.2.0 PyYAML==6.0.4 requests==2.34.2
    rich==15.0.0 sortedcontainers==2.4.0 typing_extensions==4.16.0 urllib3==2.8.0
    Werkzeug==3.1.9)
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

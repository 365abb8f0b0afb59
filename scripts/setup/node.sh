#!/usr/bin/env bash
# Installs the end-to-end suites' npm packages (e2e/package-lock.json: supertokens-web-js,
# supertokens-auth-react with react and react-dom, esbuild, supertokens-node, playwright-core,
# jsdom, express, cors; exact versions) with `npm ci`, unless e2e/node_modules already matches
# the lock file.
set -euo pipefail
cd "$(dirname "$0")/../../e2e"

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is missing; the end-to-end suites need Node.js 20 or later with npm" >&2
    exit 1
fi

lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.installed-from-lock"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
    echo "npm packages: up to date"
    exit 0
fi

echo "npm packages: npm ci in e2e/ (node $(node --version))"
# playwright-core drives Debian's chromium; it never downloads a browser.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
echo "$lock_sum" >"$stamp"

#!/usr/bin/env bash
# Conformance suite: the official supertokens-node 24.0.3 backend (express + cors) with our
# embedded core (the `embedded-core` binary, over HTTP, with an API key) as its SuperTokens
# Core, driven by the same flows as our SDK: supertokens-web-js in headless chromium (phone +
# code and the magic link by e-mail, each in cookie and header mode, with 3-second access
# tokens refreshed by the frontend SDK through node; five wrong codes, restart and resend),
# the README's curl walk-through, the raw-HTTP token-theft scenario, and web-js under jsdom.
# Prints `N passed, N failed` last and fails when any flow fails.
set -euo pipefail
source "$(dirname "$0")/../../e2e/lib.sh"
e2e_begin node
cd "$E2E_ROOT"

# Short-lived access tokens, so the flows watch the frontend SDK refresh through node.
LIFETIME=3
CORE_PORT="${E2E_CORE_PORT:-3567}"
API_PORT="${E2E_NODE_API_PORT:-3101}"
WEBSITE_PORT="${E2E_NODE_WEBSITE_PORT:-3100}"
for port in "$CORE_PORT" "$API_PORT" "$WEBSITE_PORT"; do
    e2e_require_free_port "$port"
done

echo "building the embedded core"
cargo build --quiet -p supertokens-embedded-core
e2e_start core "$E2E_ROOT/target/debug/embedded-core" \
    --addr "127.0.0.1:$CORE_PORT" --db "$E2E_TMP/core.db" --log "$E2E_TMP/core-requests.jsonl" \
    --access-token-validity "$LIFETIME" --api-key e2e-node-api-key
e2e_wait core "http://127.0.0.1:$CORE_PORT/hello"

export API_URL="http://localhost:$API_PORT"
export WEBSITE_URL="http://localhost:$WEBSITE_PORT"
CORE_URL="http://127.0.0.1:$CORE_PORT" CORE_API_KEY=e2e-node-api-key \
    e2e_start node node "$E2E_DIR/node-backend.js"
e2e_wait node "http://127.0.0.1:$API_PORT/sessioninfo"
e2e_wait node "http://127.0.0.1:$WEBSITE_PORT/"

ACCESS_TOKEN_LIFETIME_SECS=$LIFETIME e2e_flows node phone-cookie phone-header phone-restart email-link-cookie email-link-header walkthrough theft jsdom-header
if [ "$E2E_FAILED" -gt 0 ]; then
    echo "---- embedded core log (last 30 lines) ----"
    tail -n 30 "$E2E_TMP/core.log" || true
    echo "---- requests node made to the embedded core (last 20) ----"
    tail -n 20 "$E2E_TMP/core-requests.jsonl" || true
fi
e2e_stop_all

e2e_end

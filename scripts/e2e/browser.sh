#!/usr/bin/env bash
# End-to-end suite: the official supertokens-web-js 0.16.0 in Debian's headless chromium
# (driven by playwright-core) against our SDK and its embedded core, through the examples.
#   quickstart   phone + one-time code, in cookie mode and in header mode, with 3-second access
#                tokens so the frontend SDK's own refresh is exercised; and five wrong codes →
#                restart → resend → sign-in
#   all_methods  the magic link by e-mail, in cookie mode and in header mode; the code by SMS
#   custom       your own app: the magic link read from the outbox file in the browser; and over
#                plain HTTP sign-in by link and code, the guarded /me, logout-everywhere
#   header_mode  the README's curl walk-through and the token-theft scenario, over plain HTTP;
#                supertokens-web-js in Node.js with jsdom (header mode, as a non-browser client)
#   quickstart on a remote core: SUPERTOKENS_CONNECTION_URI and SUPERTOKENS_API_KEY pointing at
#                the embedded-core server, so the SDK speaks the CDI over HTTP; and there, a
#                sign-in on tenant customer1 through web-js's Multitenancy recipe
# Prints `N passed, N failed` last and fails when any flow fails.
set -euo pipefail
source "$(dirname "$0")/../../e2e/lib.sh"
e2e_begin browser
cd "$E2E_ROOT"

echo "building the examples and the embedded-core server"
cargo build --quiet -p examples --examples
cargo build --quiet -p supertokens-embedded-core
BIN="$E2E_ROOT/target/debug/examples"
LIFETIME=3

run_example() {
    local example="$1"
    shift
    e2e_require_free_port 3001
    e2e_require_free_port 3000
    # Each example gets a fresh database; the working directory is the temporary one.
    (cd "$E2E_TMP" && SUPERTOKENS_EMBEDDED_DB="$E2E_TMP/$example.db" \
        SUPERTOKENS_ACCESS_TOKEN_VALIDITY_SECS="$LIFETIME" exec "$BIN/$example") \
        >>"$E2E_TMP/$example.log" 2>&1 &
    E2E_PIDS+=("$!")
    e2e_wait "$example" "http://127.0.0.1:3001/sessioninfo"
}

echo "-- quickstart (embedded core)"
run_example quickstart
e2e_wait quickstart "http://127.0.0.1:3000/"
# Our SDK refuses a second send to a device within 30 s (a documented, stricter default).
RESEND_INTERVAL=1 ACCESS_TOKEN_LIFETIME_SECS=$LIFETIME \
    e2e_flows quickstart phone-cookie phone-header phone-restart
e2e_stop_all

echo "-- all_methods"
run_example all_methods
e2e_wait all_methods "http://127.0.0.1:3000/"
ACCESS_TOKEN_LIFETIME_SECS=$LIFETIME e2e_flows all_methods email-link-cookie email-link-header phone-cookie
e2e_stop_all

echo "-- custom (e-mails in the outbox file, not on the console)"
export SUPERTOKENS_OUTBOX="$E2E_TMP/outbox.jsonl"
run_example custom
unset SUPERTOKENS_OUTBOX
e2e_wait custom "http://127.0.0.1:3000/"
OUTBOX="$E2E_TMP/outbox.jsonl" ACCESS_TOKEN_LIFETIME_SECS=$LIFETIME \
    e2e_flows custom email-link-cookie own-app
e2e_stop_all

echo "-- roles (#[protected(roles = [\"admin\"])], the demo grant, web-js's claim checks)"
run_example roles
e2e_wait roles "http://127.0.0.1:3000/"
e2e_flows roles roles-cookie roles-header
e2e_stop_all

echo "-- header_mode"
run_example header_mode
e2e_flows header_mode walkthrough theft jsdom-header
e2e_stop_all

# The remote core's lifetime differs from the example's own setting (which only reaches an
# embedded core), so the flow's lifetime check proves the tokens came from the remote core.
CORE_PORT="${E2E_CORE_PORT:-3567}"
REMOTE_LIFETIME=4
e2e_require_free_port "$CORE_PORT"
e2e_start core "$E2E_ROOT/target/debug/embedded-core" --addr "127.0.0.1:$CORE_PORT" \
    --db "$E2E_TMP/core.db" --api-key e2e-secret-key --access-token-validity "$REMOTE_LIFETIME"
e2e_wait core "http://127.0.0.1:$CORE_PORT/hello"
echo "-- quickstart on a remote core (the embedded-core server over HTTP, with an API key)"
rm -f "$E2E_TMP/quickstart.log"
SUPERTOKENS_CONNECTION_URI="http://127.0.0.1:$CORE_PORT" SUPERTOKENS_API_KEY=e2e-secret-key \
    run_example quickstart
e2e_wait quickstart "http://127.0.0.1:3000/"
# A tenant for the phone-tenant flow, created as a backend would: through the core's API.
e2e_create_tenant "http://127.0.0.1:$CORE_PORT" e2e-secret-key customer1 '["otp-phone"]'
ACCESS_TOKEN_LIFETIME_SECS=$REMOTE_LIFETIME e2e_flows quickstart phone-cookie phone-tenant
e2e_stop_all

e2e_end

#!/usr/bin/env bash
# End-to-end suite: the prebuilt UI of supertokens-auth-react 0.51.3 (React 18.3.1), bundled
# with esbuild from e2e/node_modules into a small app (e2e/prebuilt-ui/app.jsx) that each example
# serves on http://localhost:3000 through SUPERTOKENS_WEBSITE_DIR, driven in Debian's headless
# chromium by playwright-core (e2e/prebuilt-ui/run.mjs):
#   quickstart   phone sign-in, cookie mode: a wrong code (the UI's error), resend, sign-out
#   all_methods  e-mail sign-in the same way; the magic link through the UI's verify page
#   header_mode  phone and e-mail sign-in in header mode
#   every example (custom and roles too): the CORS preflight from http://localhost:3000 is answered with
#                the SuperTokens headers allowed (curl)
#   all_methods on the embedded-core server: usesDynamicLoginMethods on the public tenant and on
#                tenant `emailonly` (created over the core's API, first factor otp-email only):
#                the form shows only what the tenant allows
# A screenshot per step goes to a directory the suite keeps and names when a flow fails.
# Prints `N passed, N failed` last and fails when any check fails.
set -euo pipefail
source "$(dirname "$0")/../../e2e/lib.sh"
e2e_begin prebuilt-ui
cd "$E2E_ROOT"

SHOTS="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-prebuilt-ui-shots.XXXXXX")"
# Keeps the screenshots when the suite stopped early (and names them before the closing line),
# removes them after a clean run, then the shared clean-up (servers, temporary files).
prebuilt_on_exit() {
    local status=$?
    set +e
    if [ "$E2E_ENDED" -eq 0 ]; then
        echo "screenshots of every step: $SHOTS"
    elif [ "$E2E_FAILED" -eq 0 ]; then
        rm -rf "$SHOTS"
    fi
    (exit "$status")
    e2e_on_exit
}
trap 'prebuilt_on_exit' EXIT

echo "building the examples, the embedded-core server and the prebuilt-UI app"
cargo build --quiet -p examples --examples
cargo build --quiet -p supertokens-embedded-core
BIN="$E2E_ROOT/target/debug/examples"
SITE="$E2E_TMP/site"
node "$E2E_DIR/prebuilt-ui/build.mjs" "$SITE" >/dev/null
export E2E_DRIVER="$E2E_DIR/prebuilt-ui/run.mjs" SHOTS

run_example() {
    local example="$1"
    e2e_require_free_port 3001
    e2e_require_free_port 3000
    # A fresh database each; resends allowed after 1 s (the UI offers one after 2 s).
    (cd "$E2E_TMP" && SUPERTOKENS_EMBEDDED_DB="$E2E_TMP/$example.db" SUPERTOKENS_WEBSITE_DIR="$SITE" \
        SUPERTOKENS_RESEND_INTERVAL_SECS=1 exec "$BIN/$example") >>"$E2E_TMP/$example.log" 2>&1 &
    E2E_PIDS+=("$!")
    e2e_wait "$example" "http://127.0.0.1:3001/sessioninfo"
    e2e_wait "$example" "http://127.0.0.1:3000/"
}

# The browser's preflight for the first call of a sign-in, with every header the SuperTokens
# frontends send: it must allow the website's origin, credentials, and those headers.
preflight() {
    local example="$1" headers allowed missing=""
    headers="$(curl -sS -o /dev/null -D - -X OPTIONS "http://127.0.0.1:3001/auth/signinup/code" \
        -H "Origin: http://localhost:3000" -H "Access-Control-Request-Method: POST" \
        -H "Access-Control-Request-Headers: content-type,rid,fdi-version,st-auth-mode,authorization,anti-csrf" \
        | tr -d '\r' | tr '[:upper:]' '[:lower:]')" || true
    allowed="$(sed -n 's/^access-control-allow-headers: //p' <<<"$headers")"
    for h in content-type rid fdi-version st-auth-mode authorization anti-csrf; do
        [[ ",${allowed// /}," == *",$h,"* ]] || missing+=" $h"
    done
    if grep -q '^http/[0-9.]* 200' <<<"$headers" &&
        grep -qx 'access-control-allow-origin: http://localhost:3000' <<<"$headers" &&
        grep -qx 'access-control-allow-credentials: true' <<<"$headers" && [ -z "$missing" ]; then
        echo "ok   $example: CORS preflight from http://localhost:3000"
        E2E_PASSED=$((E2E_PASSED + 1))
    else
        echo "FAIL $example: CORS preflight from http://localhost:3000 (headers not allowed:${missing:- none})"
        sed 's/^/    /' <<<"$headers"
        E2E_FAILED=$((E2E_FAILED + 1))
    fi
}

echo "-- quickstart (phone, cookie mode)"
run_example quickstart
preflight quickstart
CONTACT_METHOD=PHONE e2e_flows quickstart phone-cookie
e2e_stop_all

echo "-- all_methods (e-mail, cookie mode; the magic link)"
run_example all_methods
preflight all_methods
e2e_flows all_methods email-cookie link-cookie
e2e_stop_all

echo "-- header_mode (phone and e-mail, header mode)"
run_example header_mode
preflight header_mode
e2e_flows header_mode phone-header email-header
e2e_stop_all

echo "-- custom and roles (the preflight only)"
SUPERTOKENS_OUTBOX="$E2E_TMP/outbox.jsonl" run_example custom
preflight custom
e2e_stop_all
run_example roles
preflight roles
e2e_stop_all

CORE_PORT="${E2E_CORE_PORT:-3567}"
e2e_require_free_port "$CORE_PORT"
e2e_start core "$E2E_ROOT/target/debug/embedded-core" --addr "127.0.0.1:$CORE_PORT" \
    --db "$E2E_TMP/core.db" --api-key e2e-secret-key
e2e_wait core "http://127.0.0.1:$CORE_PORT/hello"
echo "-- all_methods on the embedded-core server: usesDynamicLoginMethods"
rm -f "$E2E_TMP/all_methods.log"
SUPERTOKENS_CONNECTION_URI="http://127.0.0.1:$CORE_PORT" SUPERTOKENS_API_KEY=e2e-secret-key \
    run_example all_methods
# A tenant that allows only e-mail codes, created as a backend would: through the core's API.
e2e_create_tenant "http://127.0.0.1:$CORE_PORT" e2e-secret-key emailonly '["otp-email"]'
e2e_flows all_methods dynamic-public dynamic-emailonly
e2e_stop_all

[ "$E2E_FAILED" -eq 0 ] || echo "screenshots of every step: $SHOTS"
e2e_end

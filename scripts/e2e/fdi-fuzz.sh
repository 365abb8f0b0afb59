#!/usr/bin/env bash
# FDI fuzzing: schemathesis (from .venv, see scripts/setup/python.sh) generates requests from our
# description of the frontend API routes the SDK serves (tests/fuzz/fdi.openapi.yaml) and sends
# them to a passwordless + session app on an in-memory embedded core (the `fdi-fuzz-server`
# binary of the tests crate, send limits off so the requests reach the handlers). Every answer
# must not be a server error (5xx) and must conform to the description (status code, content
# type, body schema). Deterministic generation, so runs repeat; bounded by FDI_FUZZ_MAX_TIME
# seconds. One worker: schemathesis' threads trip a CPython 3.11 bug ("AST constructor recursion
# depth mismatch") inside hypothesis, which ends a run with an error that is not the API's.
# Prints `N passed, N failed` last (cases that passed every check, cases that failed one) after
# a line with the figures, and fails when any case failed or fewer cases than FDI_FUZZ_MIN_CASES
# ran.
#
# Settings (environment): FDI_FUZZ_ADDR (default 127.0.0.1:0, a free port),
# FDI_FUZZ_EXAMPLES (generated cases per operation and phase, default 100), FDI_FUZZ_MAX_TIME
# (seconds, default 75; fuzzing and the stateful phase repeat until it is spent),
# FDI_FUZZ_MIN_CASES (default 2000).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

ADDR="${FDI_FUZZ_ADDR:-127.0.0.1:0}"
EXAMPLES="${FDI_FUZZ_EXAMPLES:-100}"
MAX_TIME="${FDI_FUZZ_MAX_TIME:-75}"
MIN_CASES="${FDI_FUZZ_MIN_CASES:-2000}"
SCHEMA="tests/fuzz/fdi.openapi.yaml"
ST="$ROOT/.venv/bin/schemathesis"
PY="$ROOT/.venv/bin/python"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-fdi-fuzz.XXXXXX")"
SERVER_PID=""
FINISHED=0
on_exit() {
    local status=$?
    if [ -n "$SERVER_PID" ]; then
        # The server has no signal handler: SIGTERM ends it at once.
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
    if [ "$FINISHED" -eq 0 ]; then
        echo "the FDI fuzzing suite stopped early (exit status $status)"
        echo "0 passed, 1 failed"
        [ "$status" -ne 0 ] || exit 1
    fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

if [ ! -x "$ST" ]; then
    echo "error: $ST is missing; run: bash scripts/setup/python.sh" >&2
    exit 1
fi

echo "building the fuzzing server"
cargo build --quiet -p tests --bin fdi-fuzz-server
SERVER="${CARGO_TARGET_DIR:-$ROOT/target}/debug/fdi-fuzz-server"

"$SERVER" "$ADDR" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
    URL="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$TMP/server.log" | head -n 1)"
    [ -n "$URL" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$URL" ]; then
    echo "error: the fuzzing server did not start" >&2
    cat "$TMP/server.log" >&2 || true
    exit 1
fi
echo "fuzzing $URL from $SCHEMA (deterministic, $EXAMPLES cases per operation and phase, at most ${MAX_TIME}s)"

# A schemathesis that fails (a check failed, or it stopped) is judged by its report below.
status=0
# From the temporary directory: schemathesis keeps a cache (.schemathesis/) where it runs.
(cd "$TMP" && timeout --kill-after=10 "$((MAX_TIME + 60))" "$ST" run "$ROOT/$SCHEMA" \
    --url "$URL" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$EXAMPLES" \
    --generation-deterministic \
    --workers 1 \
    --max-time "$MAX_TIME" \
    --request-timeout 10 \
    --no-color \
    --output-truncate false \
    --report ndjson --report-ndjson-path "$TMP/events.ndjson" \
    >"$TMP/schemathesis.log" 2>&1) || status=$?
tail -n 60 "$TMP/schemathesis.log"

# The figures, from schemathesis' event stream: every response it checked, and how many were
# server errors or failed another check.
if ! "$PY" - "$TMP/events.ndjson" "$TMP/server.log" "$MIN_CASES" "$status" <<'EOF'; then
import json
import sys

events_path, server_log, min_cases, st_status = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cases = 0
server_errors = 0
failed_cases = 0
statuses = {}
for line in open(events_path, encoding="utf-8"):
    event = json.loads(line)
    for name, body in event.items():
        if name != "ScenarioFinished":
            continue
        recorder = body.get("recorder") or {}
        interactions = recorder.get("interactions") or {}
        checks = recorder.get("checks") or {}
        for case_id, interaction in interactions.items():
            response = interaction.get("response")
            if response is None:
                continue
            cases += 1
            code = response.get("status_code")
            statuses[code] = statuses.get(code, 0) + 1
            if isinstance(code, int) and code >= 500:
                server_errors += 1
            if any(str(c.get("status")).lower() == "failure" for c in checks.get(case_id, [])):
                failed_cases += 1
passed = cases - failed_cases
codes = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))
print(f"FDI fuzzing: {cases} cases run, {server_errors} server errors, {failed_cases} failed a check (status codes {codes})")
bad = server_errors > 0 or failed_cases > 0 or cases < min_cases or st_status != 0
if cases < min_cases:
    print(f"error: fewer than {min_cases} cases ran")
if st_status != 0 and failed_cases == 0:
    print(f"error: schemathesis exited with status {st_status}")
    failed_cases = max(failed_cases, 1)
if bad:
    print("---- fuzzing server log (last 30 lines) ----")
    lines = open(server_log, encoding="utf-8", errors="replace").read().splitlines()
    print("\n".join(lines[-30:]))
print(f"{passed} passed, {failed_cases if failed_cases else int(bad)} failed")
sys.exit(1 if bad else 0)
EOF
    FINISHED=1
    exit 1
fi
FINISHED=1

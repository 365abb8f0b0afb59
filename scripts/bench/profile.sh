#!/usr/bin/env bash
# Where supertokens-rs spends its CPU time under the loads of scripts/bench/compare.sh, sampled
# with perf (Debian package linux-perf).
#
# Builds release, starts the `embedded-core` server (in memory) and the bench app on it, then
# samples, one after the other:
#   - the bench app under the protected route (GET /sessioninfo, header token), then under the
#     same route unprotected (GET /open), so the two profiles can be set side by side;
#   - the bench app, then the core, under FDI sign-ins.
# For each it prints the share of the samples by part (our crates, HTTP, JSON, crypto, SQLite, the
# async runtime, the allocator, the kernel, the rest) and the symbols with the most samples.
#
#   scripts/bench/profile.sh [--secs S] [--top N]
#
# Loopback only; every load is bounded in time; everything started is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

SECS=5
TOP=12
while [ $# -gt 0 ]; do
    case "$1" in
    --secs) SECS="$2"; shift ;;
    --top) TOP="$2"; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$SECS$TOP" in *[!0-9]*) echo "error: --secs and --top take whole numbers" >&2; exit 2 ;; esac
if ! command -v perf >/dev/null; then
    echo "error: perf is missing; on Debian: apt-get install linux-perf" >&2
    exit 1
fi

source "$ROOT/e2e/lib.sh"
E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-profile.XXXXXX")"
trap 'e2e_stop_all; rm -rf "$E2E_TMP"' EXIT
trap 'exit 130' INT TERM
unset SUPERTOKENS_CONNECTION_URI SUPERTOKENS_API_KEY

echo "building (release)"
cargo build --quiet --release -p supertokens-embedded-core
cargo build --quiet --release -p tests --bin bench-app --bin bench-load
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
LOAD="$BIN/bench-load"

CORE_PORT="$("$LOAD" free-port)"
e2e_start core "$BIN/embedded-core" --addr "127.0.0.1:$CORE_PORT" --db :memory:
CORE_PID="${E2E_PIDS[-1]}"
"$LOAD" wait "http://127.0.0.1:$CORE_PORT/hello" >/dev/null
APP_PORT="$("$LOAD" free-port)"
BASE="http://127.0.0.1:$APP_PORT"
e2e_start app "$BIN/bench-app" --addr "127.0.0.1:$APP_PORT" --core "http://127.0.0.1:$CORE_PORT"
APP_PID="${E2E_PIDS[-1]}"
"$LOAD" wait "$BASE/auth/jwt/jwks.json" >/dev/null
TOKEN="$("$LOAD" token "$BASE")"

# summary <perf data> <title>: the shares of the samples by part, then the top symbols.
summary() {
    echo "== $2"
    perf report -i "$1" --no-children --sort symbol --stdio 2>/dev/null |
        awk -v top="$TOP" '
            /^#/ || !/%/ { next }
            {
                share = $1; sub(/%/, "", share)
                sym = $0; sub(/^ *[0-9.]+% +/, "", sym); sub(/  +.*$/, "", sym)
                part = "rest"
                if (sym ~ /\[k\]/) part = "kernel"
                else if (sym ~ /supertokens|bench_app/) part = "our crates"
                else if (sym ~ /aws_lc|bn_|mulx|sqrx|powerx|sha256|Sha256/) part = "crypto"
                else if (sym ~ /sqlite|yy_|whereLoop|pcache|pager|Btree|Vdbe/) part = "SQLite"
                else if (sym ~ /serde/) part = "JSON"
                else if (sym ~ /hyper|axum|tower|http::|httparse|reqwest|url::|idna/) part = "HTTP"
                else if (sym ~ /tokio/) part = "async runtime"
                else if (sym ~ /malloc|free|realloc|unlink_chunk|memmove|memcpy|memset|rdl_/) part = "allocator and copies"
                parts[part] += share
                if (shown < top) { lines[++shown] = sprintf("  %6.2f%%  %s", share, substr(sym, 1, 110)) }
            }
            END {
                for (p in parts) printf "%5.1f%%  %s\n", parts[p], p | "sort -nr | sed \"s/^/  /\""
                close("sort -nr | sed \"s/^/  /\"")
                print "  top symbols:"
                for (i = 1; i <= shown; i++) print lines[i]
            }'
}

# profile <name> <pid> <load command>...: samples that process during the load, into
# $E2E_TMP/<name>.data.
profile() {
    local name="$1" pid="$2"
    shift 2
    "$@" --secs 1 --warmup 0 >/dev/null # warm up
    timeout --kill-after=5 $((SECS + 30)) \
        perf record -q -F 999 -p "$pid" -o "$E2E_TMP/$name.data" -- sleep "$SECS" \
        >"$E2E_TMP/perf-$name.log" 2>&1 &
    local recorder=$!
    echo "$name: $(timeout --kill-after=5 $((SECS + 30)) "$@" --secs "$SECS" --warmup 0 | head -n 1) (successes/s, errors)"
    if ! wait "$recorder"; then
        echo "error: perf record failed:" >&2
        cat "$E2E_TMP/perf-$name.log" >&2
        exit 1
    fi
}

profile protected "$APP_PID" "$LOAD" get "$BASE/sessioninfo" --header "authorization: Bearer $TOKEN"
profile open "$APP_PID" "$LOAD" get "$BASE/open" --header "authorization: Bearer $TOKEN"
# One process at a time: the sign-in load is run once for each.
profile signin-app "$APP_PID" "$LOAD" signin "$BASE" --connections 16
profile signin-core "$CORE_PID" "$LOAD" signin "$BASE" --connections 16
summary "$E2E_TMP/protected.data" "bench app, protected route"
summary "$E2E_TMP/open.data" "bench app, the same route unprotected"
summary "$E2E_TMP/signin-app.data" "bench app, sign-ins"
summary "$E2E_TMP/signin-core.data" "embedded core, sign-ins"

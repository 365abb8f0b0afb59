#!/usr/bin/env bash
# supertokens-rs and supertokens-node side by side, on one machine, with one load generator.
#
# Starts the `embedded-core` server (in memory, loopback), our bench app (tests/src/bin/bench-app.rs)
# and supertokens-node 24.0.3 with express (e2e/bench-node.js), both on that core and serving the
# same routes, then measures, round by round, alternating which side goes first:
#   - GET /sessioninfo with a header token (protected), and GET /open (the same request and an
#     answer of the same size, no check);
#   - full FDI sign-ins (create code + consume, fixed code), counting errors;
#   - start to first answer (ours: its embedded core on a SQLite file whose keys exist already);
#   - RSS of each backend after its loads;
#   - CPU time per request of both routes (the backend) and per sign-in (the backend, and the core for
#     it), from /proc/PID/stat over the measured seconds.
# The load generator is tests/src/bin/bench-load (single-threaded, keep-alive HTTP/1.1).
# Writes docs/benchmarks.md and docs/benchmarks.svg (medians, ratios, machine, versions, date).
#
#   scripts/bench/compare.sh [--rounds N] [--secs S] [--warmup S] [--out DIR]
#   scripts/bench/compare.sh --check      short run for the test suite: 1 round, 2 s per figure,
#                                         debug build of the bench apps, fails on any error,
#                                         writes nothing in docs/
#
# For comparing builds: BENCH_APP=<path> runs that bench-app instead of the one built here.
# Needs e2e/node_modules (bash scripts/setup/node.sh). Loopback only; every load is bounded in
# time; everything started is stopped by PID on exit, also on failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

ROUNDS=3
SECS=10
WARMUP=2
OUT="$ROOT/docs"
CHECK=0
GET_CONNECTIONS=32
SIGNIN_CONNECTIONS=16
while [ $# -gt 0 ]; do
    case "$1" in
    --check) CHECK=1 ROUNDS=1 SECS=2 WARMUP=0.5 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --secs) SECS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$ROUNDS" in '' | *[!0-9]* | 0) echo "error: --rounds takes a whole number from 1" >&2; exit 2 ;; esac

source "$ROOT/e2e/lib.sh"
E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-bench.XXXXXX")"
TMP="$E2E_TMP"
on_exit() {
    local status=$?
    e2e_stop_all
    if [ "$status" -ne 0 ]; then
        for log in "$TMP"/*.log; do
            [ -s "$log" ] || continue
            echo "---- $(basename "$log") (last 20 lines) ----" >&2
            tail -n 20 "$log" >&2
        done
    fi
    rm -rf "$TMP"
}
trap on_exit EXIT
trap 'exit 130' INT TERM
# A core configured in the caller's shell must not leak in.
unset SUPERTOKENS_CONNECTION_URI SUPERTOKENS_API_KEY

# start <name> <command>...: e2e_start (output to $TMP/<name>.log, stopped on exit); sets STARTED.
start() {
    e2e_start "$@"
    STARTED="${E2E_PIDS[-1]}"
}
# forget <pid>: stops it now and drops it from the list.
forget() {
    local pid="$1" kept=() p
    e2e_stop "$pid"
    for p in "${E2E_PIDS[@]}"; do
        [ "$p" = "$pid" ] || kept+=("$p")
    done
    E2E_PIDS=("${kept[@]}")
}
rss_mib() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}
now_ns() {
    date +%s%N
}

# --- builds -----------------------------------------------------------------------------------
if [ ! -d "$ROOT/e2e/node_modules/supertokens-node" ]; then
    echo "error: e2e/node_modules is missing; run: bash scripts/setup/node.sh" >&2
    exit 1
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
# The same command as scripts/e2e/python-conformance.sh, so either reuses the other's build.
echo "building the embedded core (release)"
cargo build --quiet --release -p supertokens-embedded-core
CORE_BIN="$TARGET/release/embedded-core"
if [ "$CHECK" -eq 1 ]; then
    # The checked run only proves the script works: the debug build of `cargo test --workspace
    # --all-targets` (scripts/test.sh runs it first) will do; the same command finds it up to
    # date, where a narrower one would rebuild with other features.
    echo "building the bench apps (debug, as cargo test builds them)"
    cargo test --quiet --workspace --all-targets --no-run
    BIN="$TARGET/debug"
    PROFILE=debug
else
    echo "building the bench apps (release)"
    cargo build --quiet --release -p tests --bin bench-app --bin bench-load
    BIN="$TARGET/release"
    PROFILE=release
fi
LOAD="$BIN/bench-load"
# BENCH_APP=<path> measures another build of our bench app (e.g. one from before a change).
APP="${BENCH_APP:-$BIN/bench-app}"
NODE_VERSION="$(node -p 'require("./e2e/node_modules/supertokens-node/package.json").version')"

# bench <seconds> <bench-load args>...: the load generator, with a hard time limit.
bench() {
    local limit="$1"
    shift
    timeout --kill-after=5 "$limit" "$LOAD" "$@"
}
LOAD_LIMIT="$(awk -v s="$SECS" -v w="$WARMUP" 'BEGIN { printf "%d", s + w + 30 }')"
FAIL_ON_ERROR=()
[ "$CHECK" -eq 1 ] && FAIL_ON_ERROR=(--fail-on-error)

# --- the core -----------------------------------------------------------------------------------
CORE_PORT="$("$LOAD" free-port)"
CORE_URL="http://127.0.0.1:$CORE_PORT"
start core "$CORE_BIN" --addr "127.0.0.1:$CORE_PORT" --db :memory:
CORE_PID=$STARTED
if ! bench 30 wait "$CORE_URL/hello" --timeout-ms 20000 >/dev/null; then
    echo "error: the embedded core did not start" >&2
    exit 1
fi
echo "embedded core on $CORE_URL (pid $CORE_PID)"

# --- start-up: ours on its embedded core with a SQLite file whose keys exist ------------------
DB="$TMP/startup.db"
# startup <side> <log name> <port> <command>...: starts it and sets MS to the milliseconds from
# exec to the first 200 of GET /auth/jwt/jwks.json; the process keeps running (STARTED).
startup() {
    local side="$1" name="$2" port="$3"
    shift 3
    local t0 t1
    t0="$(now_ns)"
    start "$name" "$@"
    if ! t1="$(bench 30 wait "http://127.0.0.1:$port/auth/jwt/jwks.json" --timeout-ms 20000)"; then
        echo "error: $side did not answer" >&2
        exit 1
    fi
    MS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')"
}
# The first start creates the database and its keys; the measured ones find them there.
port="$("$LOAD" free-port)"
startup ours first-start "$port" "$APP" --addr "127.0.0.1:$port" --db "$DB"
forget "$STARTED"

RESULTS="$TMP/results.tsv"
: >"$RESULTS"
record() { # figure side round value
    printf '%s\t%s\t%s\t%s\t0\n' "$@" >>"$RESULTS"
}

LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "profile $PROFILE, $ROUNDS round(s) of ${SECS} s per figure after ${WARMUP} s of warm-up; load average $LOADAVG"
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then sides=(ours node); else sides=(node ours); fi
    declare -A PORTS=() PID=() TOKEN=() PEAK=()
    for side in "${sides[@]}"; do
        PORTS[$side]="$("$LOAD" free-port)"
        if [ "$side" = ours ]; then
            startup ours "ours-start-$round" "${PORTS[$side]}" "$APP" --addr "127.0.0.1:${PORTS[$side]}" --db "$DB"
            record startup ours "$round" "$MS"
            forget "$STARTED"
            start "ours-$round" "$APP" --addr "127.0.0.1:${PORTS[$side]}" --core "$CORE_URL"
            PID[$side]=$STARTED
            bench 30 wait "http://127.0.0.1:${PORTS[$side]}/auth/jwt/jwks.json" --timeout-ms 20000 >/dev/null
        else
            startup node "node-$round" "${PORTS[$side]}" \
                env PORT="${PORTS[$side]}" CORE_URL="$CORE_URL" node "$ROOT/e2e/bench-node.js"
            record startup node "$round" "$MS"
            PID[$side]=$STARTED
        fi
        echo "round $round: $side started in $MS ms (pid ${PID[$side]})"
        TOKEN[$side]="$(bench 30 token "http://127.0.0.1:${PORTS[$side]}")"
        PEAK[$side]=0
    done
    for figure in protected open signin; do
        for side in "${sides[@]}"; do
            base="http://127.0.0.1:${PORTS[$side]}"
            common=(--secs "$SECS" --warmup "$WARMUP" --record "$RESULTS" --figure "$figure"
                --side "$side" --round "$round" "${FAIL_ON_ERROR[@]}")
            case "$figure" in
            protected) out="$(bench "$LOAD_LIMIT" get "$base/sessioninfo" --connections "$GET_CONNECTIONS" \
                --header "authorization: Bearer ${TOKEN[$side]}" --cpu "app=${PID[$side]}" "${common[@]}")" ;;
            # The same request, token included, so the difference is what the check costs.
            open) out="$(bench "$LOAD_LIMIT" get "$base/open" --connections "$GET_CONNECTIONS" \
                --header "authorization: Bearer ${TOKEN[$side]}" --cpu "app=${PID[$side]}" "${common[@]}")" ;;
            signin) out="$(bench "$LOAD_LIMIT" signin "$base" --connections "$SIGNIN_CONNECTIONS" \
                --cpu "app=${PID[$side]}" --cpu "core=$CORE_PID" "${common[@]}")" ;;
            esac
            rss="$(rss_mib "${PID[$side]}")"
            PEAK[$side]="$(awk -v a="${PEAK[$side]}" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')"
            read -r rate errors <<<"$out"
            cpu="$(awk '$1 == "cpu" { printf "  CPU %s %s µs", $2, $3 }' <<<"$out")"
            printf 'round %s: %-9s %-4s %10s/s  %s errors  RSS %s MiB%s\n' "$round" "$figure" "$side" "$rate" "$errors" "$rss" "$cpu"
        done
    done
    for side in "${sides[@]}"; do
        record rss "$side" "$round" "${PEAK[$side]}"
        forget "${PID[$side]}"
    done
    unset PORTS PID TOKEN PEAK
done

# --- the report -------------------------------------------------------------------------------
CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
MEM="$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
meta=(
    --meta "Date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    --meta "Machine=$(nproc) cores (${CPU:-unknown CPU}), $MEM, $(uname -sr); load average before the run: $LOADAVG"
    --meta "Versions=supertokens-rs $COMMIT ($PROFILE build, $(rustc --version | cut -d' ' -f1-2)); supertokens-node $NODE_VERSION with express on node $(node --version); the core: embedded-core (release, in memory)"
    --meta "Load=${SECS} s per figure and round after ${WARMUP} s of warm-up; $GET_CONNECTIONS connections for the routes, $SIGNIN_CONNECTIONS for the sign-ins"
)
if [ "$CHECK" -eq 1 ]; then
    "$LOAD" report --results "$RESULTS" --md "$TMP/benchmarks.md" --svg "$TMP/benchmarks.svg" "${meta[@]}"
    echo "bench check: every phase ran without an error (figures of a short debug run, not measurements):"
    grep '^|' "$TMP/benchmarks.md"
else
    mkdir -p "$OUT"
    "$LOAD" report --results "$RESULTS" --md "$OUT/benchmarks.md" --svg "$OUT/benchmarks.svg" "${meta[@]}"
    echo "wrote $OUT/benchmarks.md and $OUT/benchmarks.svg"
    grep '^|' "$OUT/benchmarks.md"
fi

# Helpers shared by the end-to-end suites in scripts/e2e/ (sourced, not run).
# A suite calls e2e_begin, starts its servers with e2e_start (each is stopped when the suite
# exits, also on failure), runs flows with e2e_flows and ends with e2e_end, which prints the
# closing line `N passed, N failed` and sets the exit status.

E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="$E2E_ROOT/e2e"
E2E_PIDS=()
E2E_PASSED=0
E2E_FAILED=0
E2E_ENDED=0

# e2e_stop <pid>: stops one process: TERM, then KILL when it is still there after 5 s.
e2e_stop() {
    kill "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

e2e_stop_all() {
    local pid
    # TERM to all first, so they stop side by side.
    for pid in "${E2E_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${E2E_PIDS[@]}"; do
        e2e_stop "$pid"
    done
    E2E_PIDS=()
}

# Stops the servers, removes the temporary files, and when the suite stopped early (a build
# error, a server that did not start, a port in use) still prints the closing line.
e2e_on_exit() {
    local status=$?
    e2e_stop_all
    rm -rf "$E2E_TMP"
    if [ "$E2E_ENDED" -eq 0 ]; then
        echo "the suite stopped early (exit status $status)"
        echo "$E2E_PASSED passed, $((E2E_FAILED + 1)) failed"
        [ "$status" -ne 0 ] || exit 1
    fi
}

e2e_begin() {
    E2E_NAME="$1"
    E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-e2e-$E2E_NAME.XXXXXX")"
    trap 'e2e_on_exit' EXIT
    trap 'exit 130' INT TERM
    if [ ! -d "$E2E_DIR/node_modules/playwright-core" ]; then
        echo "error: $E2E_DIR/node_modules is missing; run: bash scripts/setup/node.sh" >&2
        exit 1
    fi
    export SUPERTOKENS_WEBJS_DIR="$E2E_DIR/node_modules/supertokens-web-js/bundle"
    # The suites bring their own core; a core configured in the caller's shell must not leak in.
    unset SUPERTOKENS_CONNECTION_URI SUPERTOKENS_API_KEY
}

# Fails the suite early with a clear message when a fixed port is taken by someone else.
e2e_require_free_port() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "error: port $1 on 127.0.0.1 is in use; stop what listens there and run again" >&2
        exit 1
    fi
}

# e2e_start <name> <command>...: runs the command in the background, stdout and stderr to
# $E2E_TMP/<name>.log, and remembers it to stop it later.
e2e_start() {
    local name="$1"
    shift
    "$@" >"$E2E_TMP/$name.log" 2>&1 &
    E2E_PIDS+=("$!")
}

# e2e_wait <name> <url>: waits until the URL answers; on timeout shows the server's log.
e2e_wait() {
    if ! node "$E2E_DIR/wait.mjs" "$2" 120000; then
        echo "---- $1 log ----" >&2
        tail -n 40 "$E2E_TMP/$1.log" >&2 || true
        exit 1
    fi
}

# e2e_create_tenant <core url> <api key> <tenant> <first factors as JSON>: creates the tenant
# as a backend would, through the core's API; fails the suite when the core refuses.
e2e_create_tenant() {
    node -e '
      const [core, key, tenantId, factors] = process.argv.slice(1);
      fetch(core + "/recipe/multitenancy/tenant/v2", {
        method: "PUT",
        headers: { "api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ tenantId, firstFactors: JSON.parse(factors) }),
      }).then(async (r) => { if (!r.ok) throw new Error(`${r.status} ${await r.text()}`); })
        .catch((e) => { console.error(`creating tenant ${tenantId}: ${e.message}`); process.exit(1); });
    ' "$@"
}

# e2e_flows <log name> <flow>...: runs e2e/run.mjs (or the driver named by E2E_DRIVER) against
# the server whose console is <log name>.
e2e_flows() {
    local log="$1"
    shift
    local results="$E2E_TMP/results.json"
    rm -f "$results"
    # Each flow has its own time limit inside; this one catches a runner that hangs as a whole.
    CONSOLE_LOG="$E2E_TMP/$log.log" RESULTS="$results" \
        timeout --kill-after=10 600 node "${E2E_DRIVER:-$E2E_DIR/run.mjs}" "$@" || true
    local passed=0 failed=$#
    if [ -f "$results" ]; then
        passed=$(node -p "require('$results').passed")
        failed=$(node -p "require('$results').failed")
    fi
    E2E_PASSED=$((E2E_PASSED + passed))
    E2E_FAILED=$((E2E_FAILED + failed))
    if [ "$failed" -gt 0 ]; then
        echo "---- $log log (last 30 lines) ----"
        tail -n 30 "$E2E_TMP/$log.log" || true
    fi
}

e2e_end() {
    E2E_ENDED=1
    echo "$E2E_PASSED passed, $E2E_FAILED failed"
    [ "$E2E_FAILED" -eq 0 ]
}

#!/usr/bin/env bash
# Conformance suite: supertokens-python 0.31.4's own tests (the session and passwordless groups,
# with the FastAPI, Flask and Django ones) run the official Python SDK against our embedded core
# (the `embedded-core` server, release build, on a free loopback port, in memory), each test in
# an app of its own on that core.
#
# The SDK and its tests come from its sdist on PyPI, installed in .venv-python-conformance/ with
# the pinned tools of e2e/python/requirements.txt. The sdist ships the test files but not their
# shared harness (tests/__init__.py, conftest.py, utils.py, users.json): ours, in
# e2e/python/harness/, is laid over a fresh copy of the sdist's tests/ for each run; the sdist's
# own files are never changed.
#
# e2e/python/expected-failures.txt lists the tests expected to fail, each with its reason; the
# suite fails when any other test fails or a listed one passes. Prints `N passed, N failed` last,
# where "failed" counts the tests whose outcome is not the expected one.
#
# For investigating: CONFORMANCE_CORE_BIN=<path> runs that server instead of building one;
# CONFORMANCE_KEEP_LOG=<path> keeps the core's request log there (and the outcomes beside it,
# <path>.report.json).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

SDK_VERSION=0.31.4
VENV="$ROOT/.venv-python-conformance"
HERE="$ROOT/e2e/python"
SDIST_DIR="$VENV/sdist"
SDIST="$SDIST_DIR/supertokens_python-$SDK_VERSION.tar.gz"
# Per test, and for the whole pytest run.
TEST_TIMEOUT=60
RUN_TIMEOUT=330
FILES=(
    tests/Django/test_django.py
    tests/Fastapi/test_fastapi.py
    tests/Flask/test_flask.py
    tests/passwordless/test_emaildelivery.py
    tests/passwordless/test_mutlitenancy.py
    tests/passwordless/test_revoke_all_codes.py
    tests/passwordless/test_smsdelivery.py
    tests/sessions/claims/test_assert_claims.py
    tests/sessions/claims/test_create_new_session.py
    tests/sessions/claims/test_fetch_and_set_claim.py
    tests/sessions/claims/test_get_claim_value.py
    tests/sessions/claims/test_primitive_array_claim.py
    tests/sessions/claims/test_primitive_claim.py
    tests/sessions/claims/test_remove_claim.py
    tests/sessions/claims/test_set_claim_value.py
    tests/sessions/claims/test_validate_claims_for_session_handle.py
    tests/sessions/claims/test_validate_claims_for_session_handle_tenant.py
    tests/sessions/claims/test_verify_session.py
    tests/sessions/test_access_token_structure.py
    tests/sessions/test_access_token_type.py
    tests/sessions/test_access_token_version.py
    tests/sessions/test_auth_mode.py
    tests/sessions/test_jwks.py
    tests/sessions/test_jwks_refetch_cooldown.py
    tests/sessions/test_session_error_handlers.py
    tests/sessions/test_session_utils.py
    tests/sessions/test_use_dynamic_signing_key_switching.py
    tests/test_passwordless.py
    tests/test_session.py
    tests/userroles/test_add_role_to_user.py
    tests/userroles/test_claims.py
    tests/userroles/test_config.py
    tests/userroles/test_create_new_role_or_add_permissions.py
    tests/userroles/test_delete_role.py
    tests/userroles/test_get_permissions_for_role.py
    tests/userroles/test_get_roles_for_user.py
    tests/userroles/test_get_roles_that_have_permissions.py
    tests/userroles/test_get_users_that_have_role.py
    tests/userroles/test_multitenancy.py
    tests/userroles/test_oauth2_token_builder.py
    tests/userroles/test_remove_permissions_from_role.py
    tests/userroles/test_remove_user_role.py
)

source "$ROOT/e2e/lib.sh"
# Not e2e_begin: this suite needs no node modules. The closing line on an early stop, and stopping
# the core on any exit, come from e2e_on_exit.
E2E_NAME=python-conformance
E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-e2e-$E2E_NAME.XXXXXX")"
TMP="$E2E_TMP"
trap 'e2e_on_exit' EXIT
trap 'exit 130' INT TERM
# The suite brings its own core; one configured in the caller's shell must not leak in.
unset SUPERTOKENS_CONNECTION_URI SUPERTOKENS_API_KEY

# --- the virtual environment: the SDK from its sdist, the pinned test tools -----------------
wanted="supertokens-python==$SDK_VERSION (sdist) $(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
stamp="$VENV/.installed"
if ! { [ -x "$VENV/bin/python" ] && [ -f "$SDIST" ] && [ -f "$stamp" ] &&
    [ "$(cat "$stamp")" = "$wanted" ]; }; then
    if ! command -v python3 >/dev/null 2>&1; then
        echo "error: python3 is missing; this suite needs Python 3.9 or later" >&2
        exit 1
    fi
    echo "python venv: creating $VENV"
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        echo "error: python3 -m venv failed; run: bash scripts/setup/python.sh (it installs python3-venv)" >&2
        exit 1
    fi
    pip=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input --quiet)
    mkdir -p "$SDIST_DIR"
    echo "python venv: downloading the supertokens-python $SDK_VERSION sdist"
    "${pip[@]}" download --no-binary :all: --no-deps --dest "$SDIST_DIR" \
        "supertokens-python==$SDK_VERSION"
    echo "python venv: installing it and e2e/python/requirements.txt"
    "${pip[@]}" install --no-binary supertokens-python -r "$HERE/requirements.txt" "$SDIST"
    echo "$wanted" >"$stamp"
fi
PY="$VENV/bin/python"

# --- the sdist's tests, with our harness laid over them ----------------------------------------
tar -xzf "$SDIST" -C "$TMP"
WORK="$TMP/supertokens_python-$SDK_VERSION"
for file in "$HERE"/harness/tests/*; do
    name="$(basename "$file")"
    if [ -e "$WORK/tests/$name" ]; then
        echo "error: the sdist ships tests/$name itself; our harness must not replace it" >&2
        exit 1
    fi
    cp "$file" "$WORK/tests/$name"
done
# The tests import the installed SDK, not the sdist's source tree beside them.
rm -rf "$WORK/supertokens_python"

# --- the embedded core ------------------------------------------------------------------------
# CONFORMANCE_CORE_BIN runs another build of the server instead (e.g. while investigating).
CORE_BIN="${CONFORMANCE_CORE_BIN:-}"
if [ -z "$CORE_BIN" ]; then
    echo "building the embedded core (release)"
    cargo build --quiet --release -p supertokens-embedded-core
    CORE_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/embedded-core"
fi
e2e_start core "$CORE_BIN" --addr 127.0.0.1:0 --db :memory: --log "$TMP/core-requests.jsonl"
CORE_PID="${E2E_PIDS[-1]}"
CORE_PORT=""
for _ in $(seq 1 100); do
    CORE_PORT="$(sed -n 's|^embedded SuperTokens core listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$TMP/core.log")"
    [ -n "$CORE_PORT" ] && break
    kill -0 "$CORE_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$CORE_PORT" ]; then
    echo "error: the embedded core did not start:" >&2
    cat "$TMP/core.log" >&2
    exit 1
fi
echo "embedded core on 127.0.0.1:$CORE_PORT (pid $CORE_PID)"

# --- the tests --------------------------------------------------------------------------------
# The core is named `localhost`, as the tests expect: those that mock the e-mail and SMS services
# with respx let only requests to host `localhost` through to the real network.
status=0
(
    cd "$WORK"
    SUPERTOKENS_CORE_HOST=localhost SUPERTOKENS_CORE_PORT="$CORE_PORT" \
        CONFORMANCE_EXPECTED_FAILURES="$HERE/expected-failures.txt" \
        CONFORMANCE_REPORT="$TMP/report.json" \
        PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1 \
        timeout --kill-after=10 "$RUN_TIMEOUT" "$PY" -m pytest -p conformance_plugin \
        -p no:cacheprovider --timeout="$TEST_TIMEOUT" --tb=short -rfEX \
        "${FILES[@]}"
) || status=$?
if [ "${CONFORMANCE_KEEP_LOG:-}" != "" ]; then
    cp "$TMP/core-requests.jsonl" "$CONFORMANCE_KEEP_LOG"
    [ -f "$TMP/report.json" ] && cp "$TMP/report.json" "$CONFORMANCE_KEEP_LOG.report.json"
fi

if [ ! -f "$TMP/report.json" ]; then
    echo "pytest ended with status $status before it wrote its report"
    exit 1
fi
E2E_ENDED=1
"$PY" - "$TMP/report.json" "$status" <<'PYTHON'
import json
import sys

outcomes = json.load(open(sys.argv[1]))
status = int(sys.argv[2])
by = {}
for node_id, entry in sorted(outcomes.items()):
    by.setdefault(entry["outcome"], []).append((node_id, entry["message"]))
count = {k: len(v) for k, v in by.items()}
for node_id, message in by.get("failed", []):
    print(f"UNEXPECTED FAILURE {node_id}: {message}")
for node_id, _ in by.get("xpassed", []):
    print(f"LISTED BUT PASSED {node_id}: remove it from e2e/python/expected-failures.txt")
print(
    f"python conformance: {len(outcomes)} tests: {count.get('passed', 0)} passed, "
    f"{count.get('xfailed', 0)} failed as expected (listed), "
    f"{count.get('failed', 0)} failed unexpectedly, "
    f"{count.get('xpassed', 0)} listed but passed, {count.get('skipped', 0)} skipped"
)
unexpected = count.get("failed", 0) + count.get("xpassed", 0)
if status not in (0, 1) and unexpected == 0:
    print(f"pytest ended with status {status}")
    unexpected = 1
skipped = f", {count['skipped']} skipped" if count.get("skipped") else ""
print(f"{count.get('passed', 0)} passed, {unexpected} failed{skipped}")
sys.exit(1 if unexpected else 0)
PYTHON

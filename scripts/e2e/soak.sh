#!/usr/bin/env bash
# Soak: 60 s of mixed traffic (sign-ins, verifies, refreshes, sign-outs) from 32 concurrent
# frontends against an app server (the SDK's routes and a protected route, its core embedded on
# a SQLite file, send limits off), run by the `soak` binary of the tests crate. It prints the
# requests per kind, the errors, and the server's RSS after 10 s and at the end, and fails on
# any error or when the RSS grew by more than 10 %. SOAK_SECONDS and SOAK_CONCURRENCY change
# the run. Debug build: it is already built by `cargo test --all-targets`, and the run counts
# errors and memory, not speed. Binds 127.0.0.1 on free ports only.
set -euo pipefail
cd "$(dirname "$0")/../.."

exe=$(cargo build --quiet -p tests --bin soak --message-format=json |
    grep -o '"executable":"[^"]*/soak"' | tail -n 1 | cut -d'"' -f4)
[ -x "$exe" ] || { echo "error: the soak binary was not built" >&2; exit 1; }

# The generator kills its server when it ends; the server also exits when the generator's end
# of its stdin closes. This stops the generator if the script itself is stopped.
# Its database goes in a directory of its own (TMPDIR), removed here whatever happens.
pid=
TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/supertokens-soak.XXXXXX")"
export TMPDIR
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$TMPDIR"' EXIT
trap 'exit 130' INT TERM
SOAK_SECONDS="${SOAK_SECONDS:-60}" SOAK_CONCURRENCY="${SOAK_CONCURRENCY:-32}" "$exe" &
pid=$!
status=0
wait "$pid" || status=$?
pid=
exit "$status"

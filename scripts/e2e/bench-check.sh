#!/usr/bin/env bash
# The benchmark script, checked: scripts/bench/compare.sh --check runs every phase once, briefly
# (one round, 2 s per figure, on the debug build of the bench apps that `cargo test` made and the
# release core the conformance suite uses), against supertokens-rs and supertokens-node. It fails
# on any error in any phase; the figures it prints are not measurements and decide nothing.
# Prints `N passed, N failed` last.
set -euo pipefail
cd "$(dirname "$0")/../.."

if bash scripts/bench/compare.sh --check; then
    echo "1 passed, 0 failed"
else
    echo "the benchmark check failed (exit status $?)"
    echo "0 passed, 1 failed"
    exit 1
fi

#!/usr/bin/env bash
# Runs every test of the project on a machine with only the Rust toolchain: first it sets up
# what the tests need (each script in scripts/setup/ installs one thing, and does nothing when it
# is already there), then the Rust test suite, then each end-to-end suite in scripts/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."

for setup in scripts/setup/*.sh; do
    [ -e "$setup" ] || continue
    echo "== setup: $setup"
    bash "$setup"
done

# A dependency no code uses only costs build time and supply-chain surface.
echo "== unused dependencies"
cargo machete

echo "== cargo test"
cargo test --workspace --all-targets
# --all-targets leaves out documentation examples; they are tests too.
echo "== cargo test --doc"
cargo test --workspace --doc

for suite in scripts/e2e/*.sh; do
    [ -e "$suite" ] || continue
    echo "== end-to-end: $suite"
    bash "$suite"
done

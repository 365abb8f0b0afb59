#!/usr/bin/env bash
# Installs cargo-machete (pinned), which the test command runs to fail on a dependency that no
# code uses. Does nothing when that version is already installed.
set -euo pipefail

VERSION=0.9.2

if command -v cargo-machete >/dev/null 2>&1 && [ "$(cargo machete --version 2>/dev/null)" = "$VERSION" ]; then
    echo "cargo-machete: $VERSION installed"
    exit 0
fi

echo "cargo-machete: installing $VERSION"
cargo install --quiet --locked --version "$VERSION" cargo-machete

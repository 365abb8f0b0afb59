#!/usr/bin/env bash
# Load run on loopback: a handler unprotected vs behind the SessionContainer extractor (with and
# without the verified-token cache), same process, same run. Needs only the Rust toolchain; it
# builds in release mode, binds 127.0.0.1 only and stops by itself.
#
#   scripts/load/session_load.sh [--secs N] [--rounds N] [--connections N]   (defaults 1, 10, 32)
set -euo pipefail
cd "$(dirname "$0")/../.."
exec cargo bench -p tests --bench session_load -- "$@"

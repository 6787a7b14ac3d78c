#!/usr/bin/env bash
# `make faults`: the fault tests alone (they are also part of `make test`). DynamoDB Local is
# SIGKILLed in the middle of a write load and restarted on its data folder; the SES emulator is
# stopped while invitations are queued, then started. The figures are printed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust_tools
ensure_npm
RUN_DIR=$(mktemp -d /tmp/minijira-faults.XXXXXX)
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
start_test_services
# The figures are printed by the tests; the app's own log lines (every 503 of the outage) are off.
RUST_LOG=off RUSTFLAGS="$ERASE_FLAGS" cargo test --features ssr,bench --test it -- faults:: --nocapture --test-threads 1

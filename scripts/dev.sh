#!/usr/bin/env bash
# `make dev`: local DynamoDB (data kept in .data/), the SES emulator, and the app with live reload.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DDB_PORT=${DDB_PORT:-8000}
SES_PORT=${SES_PORT:-8005}

ensure_rust_tools
ensure_npm
mkdir -p .data/logs

trap 'cleanup' EXIT
trap 'log "stopped"; exit 0' INT TERM

port_busy "$DDB_PORT" && die "port $DDB_PORT is in use: stop what uses it or set DDB_PORT"
port_busy "$SES_PORT" && die "port $SES_PORT is in use: stop what uses it or set SES_PORT"

log "starting DynamoDB Local on :$DDB_PORT (data in .data/dynamodb)"
start_dynamodb "$DDB_PORT" .data/logs/dynamodb.log .data/dynamodb
log "starting the SES emulator on :$SES_PORT (sent mail: http://127.0.0.1:$SES_PORT)"
start_ses "$SES_PORT" .data/logs/ses.log

local_aws_env
export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
export SES_ENDPOINT="http://127.0.0.1:$SES_PORT"
export TABLE_NAME=${TABLE_NAME:-minijira}
export CREATE_TABLE=true SEED_DEMO=true DATA_DIR=.data
export RUST_LOG=${RUST_LOG:-info}

log "serving http://127.0.0.1:3000 (Ctrl-C stops everything)"
# Pages name the plain /pkg files while watching (no stale cache-busted copies).
rm -rf target/site/assets
cargo leptos watch

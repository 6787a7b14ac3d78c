#!/usr/bin/env bash
# `make lighthouse`: the release build against DynamoDB Local and the SES emulator with the demo
# data, signed in as the demo user Alice; Lighthouse's default mobile run on the dashboard, the
# scrum (backlog) page, the board and a conversation. Prints the scores, writes the JSON
# reports to lighthouse-results/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust_tools
ensure_npm
ensure_chromium

log "building the release server and bundle"
build_site --release -P

RUN_DIR=$(mktemp -d /tmp/minijira-lighthouse.XXXXXX)
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
start_test_services

APP_PORT=$(free_port)
BASE="http://127.0.0.1:$APP_PORT"
export LEPTOS_OUTPUT_NAME=minijira LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT" LEPTOS_ENV=PROD RUST_LOG=warn
export DYNAMODB_ENDPOINT="$MINIJIRA_TEST_DYNAMODB" SES_ENDPOINT="$MINIJIRA_TEST_SES"
export TABLE_NAME="lighthouse_$(date +%s)_$$" CREATE_TABLE=true SEED_DEMO=true DATA_DIR="$RUN_DIR"
export JWT_SECRET="lighthouse-only-secret-lighthouse-only-secret"
spawn "$RUN_DIR/app.log" target/release/minijira
wait_http "$BASE/healthz" 90 || { tail -n 50 "$RUN_DIR/app.log"; die "the app did not become healthy"; }

# Signs in through the sign-in server function, like a browser without JavaScript.
jar="$RUN_DIR/cookies.txt"
curl -fsS -o /dev/null -c "$jar" -H "Origin: $BASE" -H "Accept: text/html" \
  --data-urlencode "email=alice@example.com" --data-urlencode "password=minijira-demo" \
  --data-urlencode "next=/" "$BASE$(curl -fsS "$BASE/signin" | grep -o '/api/sign_in[0-9]*' | head -n 1)" \
  || die "could not sign in as the demo user"
COOKIE=$(awk '$6 == "mj_session" {print "mj_session=" $7}' "$jar")
[ -n "$COOKIE" ] || die "no session cookie after signing in"

project=$(curl -fsS -H "Cookie: $COOKIE" "$BASE/" | grep -o 'href="/p/[A-Z0-9]*"' | head -n 1 | cut -d'"' -f2)
conversation=$(curl -fsS -H "Cookie: $COOKIE" "$BASE/messages" | grep -o 'href="/messages/[0-9A-Z-]*"' | head -n 1 | cut -d'"' -f2)
[ -n "$project" ] && [ -n "$conversation" ] || die "could not find the demo project and conversation"

log "Lighthouse (mobile) on $BASE: / $project $project/board $conversation"
rm -rf lighthouse-results
CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} node scripts/lighthouse.mjs "$BASE" "$COOKIE" lighthouse-results \
  "dashboard=/" "backlog=$project" "board=$project/board" "conversation=$conversation"
log "reports in lighthouse-results/ (summary.md, one JSON per page)"

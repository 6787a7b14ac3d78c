#!/usr/bin/env bash
# `make bench`: the release server on DynamoDB Local (in memory) and the SES emulator, a
# realistic data set, and wrk against the main pages at concurrency 1, 8 and 32. Prints tables
# and writes them as JSON under bench-results/. A benchmark, not a test: nothing here passes
# or fails on time. BENCH_SECONDS sets the length of each run (default 10).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUN_SECONDS=${BENCH_SECONDS:-10}
CONCURRENCY=(1 8 32)

ensure_rust_tools
ensure_npm
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian's HTTP load generator)"
  as_root apt-get install -y wrk >/dev/null 2>&1 || {
    as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; } \
    || die "could not install wrk with apt-get"
fi

log "building the release server and the release bundle (cargo leptos build --release)"
build_site --release -P
log "building the data loader (minijira-bench: the bench feature, not in the server)"
cargo build --release --features bench --bin minijira-bench

RUN_DIR=$(mktemp -d /tmp/minijira-bench.XXXXXX)
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"

DDB_PORT=$(free_port)
SES_PORT=$(free_port)
APP_PORT=$(free_port)
log "DynamoDB Local (in memory) on :$DDB_PORT, SES emulator on :$SES_PORT (logs in $RUN_DIR)"
start_dynamodb "$DDB_PORT" "$RUN_DIR/dynamodb.log"
start_ses "$SES_PORT" "$RUN_DIR/ses.log"
local_aws_env

export LEPTOS_OUTPUT_NAME=minijira LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT" LEPTOS_ENV=PROD
export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT" SES_ENDPOINT="http://127.0.0.1:$SES_PORT"
export TABLE_NAME=bench CREATE_TABLE=true DATA_DIR="$RUN_DIR" PUBLIC_URL="http://127.0.0.1:$APP_PORT"
JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export JWT_SECRET
BASE="http://127.0.0.1:$APP_PORT"

log "starting the release server on :$APP_PORT"
spawn "$RUN_DIR/app.log" target/release/minijira
APP_PID=$LAST_PID
wait_http "$BASE/healthz" 90 || { tail -n 40 "$RUN_DIR/app.log"; die "the server did not become healthy"; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$APP_PID/status"; }
peak_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$APP_PID/status"; }

# Runs a seed phase; its JSON (the last line of output) is kept in $RUN_DIR/<phase>.json.
seed() { # phase [args...]
  local phase=$1; shift
  log "seeding: $phase $*"
  RUST_LOG=warn target/release/minijira-bench "$phase" "$@" | grep '^{' | tail -n 1 >"$RUN_DIR/$phase.json"
  [ -s "$RUN_DIR/$phase.json" ] || die "seeding ($phase) printed nothing"
  json "$RUN_DIR/$phase.json" 'o => `${o.items_in_table} items in the table, seeded in ${o.seconds.toFixed(1)} s`' | while read -r l; do log "$l"; done
}

json() { # file expression-over-o
  node -e 'const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const r = (eval(process.argv[2]))(o); console.log(Array.isArray(r) ? r.join("\n") : r);' "$1" "$2"
}

# Signs in through the sign-in server function, like a browser without JavaScript; prints the
# session cookie.
sign_in() { # seed-json-file
  local email path jar="$RUN_DIR/cookies.txt"
  email=$(json "$1" 'o => o.email')
  path=$(json "$1" 'o => o.sign_in_path')
  rm -f "$jar"
  curl -fsS -o /dev/null -c "$jar" -H "Origin: $BASE" \
    --data-urlencode "email=$email" --data-urlencode "password=$(json "$1" 'o => o.password')" \
    --data-urlencode "next=/" "$BASE$path" || die "could not sign in as $email"
  awk '$6 == "mj_session" {print "mj_session=" $7}' "$jar"
}

# One wrk run; appends its figures (with the phase, page, concurrency and RSS) to $RESULTS.
measure() { # phase page path concurrency cookie [seconds] [record]
  local phase=$1 page=$2 path=$3 c=$4 cookie=$5 secs=${6:-$RUN_SECONDS} record=${7:-yes} threads out
  threads=$(( c < 2 ? c : 2 ))
  out=$(wrk -t"$threads" -c"$c" -d"${secs}s" -s scripts/bench.lua \
          -H "Cookie: $cookie" -H "Accept: text/html" "$BASE$path" | grep '^{' | tail -n 1)
  [ -n "$out" ] || die "wrk printed no figures for $path"
  [ "$record" = yes ] || return 0
  printf '{"phase":"%s","page":"%s","path":"%s","concurrency":%d,"rss_kb":%d,"peak_rss_kb":%d,%s\n' \
    "$phase" "$page" "$path" "$c" "$(rss_kb)" "$(peak_kb)" "${out#\{}" >>"$RESULTS"
  printf '  %-14s c=%-3s %s\n' "$page" "$c" "$out" >&2
}

pages_of() { json "$1" 'o => o.pages.map(([k, v]) => `${k}\t${v}`)'; }

# 1. Scaling check: the scrum page and a conversation with few, then 100,000 other items.
seed scale
COOKIE=$(sign_in "$RUN_DIR/scale.json")
for label in "few other items" "100,000 other items"; do
  if [ "$label" != "few other items" ]; then seed filler; fi
  while IFS=$'\t' read -r page path; do
    measure "$label" "$page" "$path" 8 "$COOKIE" 2 no
    for c in 1 8; do measure "$label" "$page" "$path" "$c" "$COOKIE"; done
  done < <(pages_of "$RUN_DIR/scale.json")
done

# 2. The realistic data set, every main page at each concurrency.
seed full
log "server RSS after seeding: $(( $(rss_kb) / 1024 )) MB"
COOKIE=$(sign_in "$RUN_DIR/full.json")
while IFS=$'\t' read -r page path; do
  measure main "$page" "$path" 8 "$COOKIE" 2 no
  for c in "${CONCURRENCY[@]}"; do measure main "$page" "$path" "$c" "$COOKIE"; done
done < <(pages_of "$RUN_DIR/full.json")

# 3. Live streams: 1,000 idle Server-Sent Events connections over 50 people, held for two
# minutes; the server logs its DynamoDB calls per minute (the second minute is all idle).
LIVE_STREAMS=${BENCH_LIVE_STREAMS:-1000}
log "live streams: signing in 50 people"
: >"$RUN_DIR/live-cookies.txt"
for i in $(seq -w 1 50); do
  jar="$RUN_DIR/live-jar.txt"; rm -f "$jar"
  curl -fsS -o /dev/null -c "$jar" -H "Origin: $BASE" \
    --data-urlencode "email=bench0$i@bench.example.com" --data-urlencode "password=$(json "$RUN_DIR/full.json" 'o => o.password')" \
    --data-urlencode "next=/" "$BASE$(json "$RUN_DIR/full.json" 'o => o.sign_in_path')" || die "could not sign in bench0$i"
  awk '$6 == "mj_session" {print "mj_session=" $7}' "$jar" >>"$RUN_DIR/live-cookies.txt"
done
rss_before_live=$(rss_kb)
log "live streams: opening $LIVE_STREAMS and holding them idle for 125 s"
node scripts/bench-live.mjs "$BASE" "$RUN_DIR/live-cookies.txt" "$LIVE_STREAMS" 125 >"$RUN_DIR/live.json"
rss_live=$(rss_kb)
calls_line=$(grep 'live streams in the last minute' "$RUN_DIR/app.log" | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g')
calls=$(sed -n 's/.*dynamodb_calls=\([0-9]*\).*/\1/p' <<<"$calls_line")
conns=$(sed -n 's/.*connections=\([0-9]*\).*/\1/p' <<<"$calls_line")
node -e '
  const live = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  Object.assign(live, { rss_before_kb: +process.argv[2], rss_kb: +process.argv[3],
    calls_per_minute: +process.argv[4], connections_in_that_minute: +process.argv[5] });
  require("fs").writeFileSync(process.argv[1], JSON.stringify(live) + "\n");' \
  "$RUN_DIR/live.json" "$rss_before_live" "$rss_live" "${calls:-0}" "${conns:-0}"
log "live streams: $(cat "$RUN_DIR/live.json")"
# The server at rest after the whole benchmark (its allocator hands freed pages back every 10 s).
sleep 12
echo "{\"rss_after_kb\":$(rss_kb)}" >"$RUN_DIR/after.json"

# 4. What each page makes the browser download (HTML, stylesheet, code), signed in.
job=$(curl -fsS -H "Cookie: $COOKIE" "$BASE/sitters/jobs" | grep -o '/sitters/jobs/[0-9A-Z]\{26\}' | head -n 1)
node -e '
  const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const extra = [["people", "/people"], ["a job", process.argv[2]], ["post a job", "/sitters/jobs/new"], ["sign-up", "/signup"]];
  console.log(JSON.stringify([...o.pages, ...extra.filter(([, p]) => p)]));' \
  "$RUN_DIR/full.json" "$job" >"$RUN_DIR/weight-pages.json"
node scripts/page-weight.mjs "$BASE" "$COOKIE" "$RUN_DIR/weight-pages.json" >"$RUN_DIR/weight.json"

# 5. Tables, bundle sizes, JSON.
mkdir -p bench-results
node scripts/bench-report.mjs "$RESULTS" "$RUN_DIR" "$RUN_SECONDS"

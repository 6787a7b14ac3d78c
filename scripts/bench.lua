-- wrk script for `make bench`: adds up each response's Server-Timing (DynamoDB calls and time,
-- total server time) and prints one JSON line with wrk's own latency figures.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  responses, not_ok, timed, hits = 0, 0, 0, 0
  ddb_ms, ddb_calls, total_ms = 0, 0, 0
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then not_ok = not_ok + 1 end
  local st = headers["server-timing"] or headers["Server-Timing"]
  if st then
    if st:find('cache;desc="hit"', 1, true) then hits = hits + 1 end
    -- The page cache's read of the versions, shared by the requests that waited for it.
    local shared = st:match('versions;desc="1 read shared by (%d+)"')
    if shared then ddb_calls = ddb_calls + 1 / tonumber(shared) end
    local dur, calls = st:match('ddb;dur=([%d%.]+);desc="(%d+) call')
    local total = st:match('total;dur=([%d%.]+)')
    if dur and calls and total then
      timed = timed + 1
      ddb_ms = ddb_ms + tonumber(dur)
      ddb_calls = ddb_calls + tonumber(calls)
      total_ms = total_ms + tonumber(total)
    end
  end
end

function done(summary, latency, requests)
  local n, bad, t, dms, dcalls, tms, h = 0, 0, 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("responses")
    bad = bad + thread:get("not_ok")
    t = t + thread:get("timed")
    dms = dms + thread:get("ddb_ms")
    dcalls = dcalls + thread:get("ddb_calls")
    tms = tms + thread:get("total_ms")
    h = h + thread:get("hits")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,' ..
    '"max_ms":%.2f,"non_200":%d,"socket_errors":%d,"timed":%d,"ddb_calls_per_req":%.3f,' ..
    '"ddb_ms_per_req":%.3f,"server_ms_per_req":%.3f,"cache_hit_ratio":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad, e.connect + e.read + e.write + e.timeout, t,
    t > 0 and dcalls / t or 0, t > 0 and dms / t or 0, t > 0 and tms / t or 0,
    t > 0 and h / t or 0))
end

-- wrk script for bench/side_by_side.py: one request shape, read from the environment
-- (BENCH_METHOD, BENCH_COOKIE, BENCH_CONTENT_TYPE, BENCH_BODY_FILE), every response's status
-- counted, and done() prints one JSON line: requests, duration, socket errors, the statuses
-- (so 4xx and 5xx are told apart) and the latency percentiles in microseconds.

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then return nil end
  return value
end

wrk.method = env("BENCH_METHOD") or "GET"
if env("BENCH_COOKIE") then wrk.headers["Cookie"] = env("BENCH_COOKIE") end
if env("BENCH_CONTENT_TYPE") then wrk.headers["Content-Type"] = env("BENCH_CONTENT_TYPE") end
if env("BENCH_BODY_FILE") then
  local file = assert(io.open(env("BENCH_BODY_FILE"), "rb"))
  wrk.body = file:read("*a")
  file:close()
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counted[status] = (counted[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counted) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"status_errors": %d, "statuses": {%s}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ", "),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end

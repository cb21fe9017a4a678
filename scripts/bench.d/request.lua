-- wrk script for scripts/bench: one request shape for the whole run, configured from the
-- environment (wrk passes no arguments to a script's top level):
--   BENCH_METHOD        GET (default) or POST
--   BENCH_BODY          request body, sent as is
--   BENCH_CONTENT_TYPE  Content-Type of the body (default application/json)
--   BENCH_TOKEN         access token: sends "Authorization: Bearer <token>"
-- At the end it prints one line "BENCH_JSON {...}" with the counts and latency
-- percentiles (microseconds) that scripts/lib/bench.py reads; wrk's own "Non-2xx or 3xx"
-- line counts only statuses >= 400, so non-2xx answers are counted here.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json"
end
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end

-- Per-thread counters (each wrk thread runs its own copy of this script).
non2xx = 0
first_bad_status = 0

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
        if first_bad_status == 0 then first_bad_status = status end
    end
end

-- setup() and done() run in wrk's main Lua state; the thread handles reach the counters.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local bad, status = 0, 0
    for _, thread in ipairs(threads) do
        bad = bad + (thread:get("non2xx") or 0)
        local s = thread:get("first_bad_status") or 0
        if status == 0 then status = s end
    end
    local e = summary.errors
    io.write(string.format(
        'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
        '"max_us": %d, "mean_us": %.1f, "non2xx": %d, "first_bad_status": %d, ' ..
        '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d}\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency.max, latency.mean, bad, status,
        e.connect, e.read, e.write, e.timeout))
end

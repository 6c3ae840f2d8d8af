-- wrk script: method, headers and body from the environment; with BENCH_FRESH set,
-- every request creates a new domain (POST /api/v1/sites with fresh domains).
local method = os.getenv("BENCH_METHOD") or "GET"
local auth = os.getenv("BENCH_AUTH")
local body = os.getenv("BENCH_BODY")
local fresh = os.getenv("BENCH_FRESH")
local counter = 0


-- Each thread gets a tag of its own (a global in its Lua state), so domains never collide.
function setup(thread)
  thread:set("thread_tag", tostring(math.random(1, 1e9)))
end

function init(args)
  wrk.method = method
  if auth then wrk.headers["Authorization"] = auth end
  if body or fresh then wrk.headers["Content-Type"] = "application/json" end
  if body then wrk.body = body end
end

function request()
  if fresh then
    counter = counter + 1
    local domain = string.format("fresh-%s-%s-%d.bench", fresh, thread_tag, counter)
    return wrk.format(nil, nil, nil, '{"domain": "' .. domain .. '"}')
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

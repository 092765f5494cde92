-- Requests for wrk, read from a file bench/run.py writes: one request per line,
--   METHOD <tab> PATH <tab> BODY
-- taken in turn. "{key}" in BODY becomes a fresh UUID for each request (the message
-- forms' idempotency key). Headers come from wrk's -H options; a POST adds its
-- Content-Type. At the end, one line of JSON with the counts and latency percentiles.
--   wrk ... -s bench/wrk.lua URL -- REQUESTS_FILE RUN_NONCE(8 hex digits)

local requests_file, nonce
local specs = {}
local counter = 0
local thread_number = 0
local threads = {}

function setup(thread)
  thread_number = thread_number + 1
  thread:set("number", thread_number)
  table.insert(threads, thread)
end

function init(args)
  requests_file = args[1]
  nonce = args[2] or "00000000"
  for line in io.lines(requests_file) do
    local method, path, body = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
    if method then
      table.insert(specs, { method = method, path = path, body = (body ~= "" and body or nil) })
    end
  end
end

local function key()
  counter = counter + 1
  return string.format("%s-%04x-4000-8000-%012x", nonce, number or 0, counter)
end

function request()
  counter = counter + 1
  local spec = specs[(counter % #specs) + 1]
  if spec.body then
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local body = spec.body:gsub("{key}", key)
    return wrk.format(spec.method, spec.path, headers, body)
  end
  return wrk.format(spec.method, spec.path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end

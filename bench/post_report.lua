-- wrk script: POST a 3-row CSV as multipart/form-data, with token auth and a fresh
-- Idempotency-Key on every request; prints one JSON line of figures when done.
-- wrk ... -s bench/post_report.lua URL -- TOKEN KEY_PREFIX

local boundary = "reportflow-bench-boundary"
local csv = "id,amount,label\n1,10.5,a\n2,20.25,b\n3,30,c\n"
local body = "--" .. boundary .. "\r\n"
  .. 'Content-Disposition: form-data; name="file"; filename="bench.csv"\r\n'
  .. "Content-Type: text/csv\r\n\r\n"
  .. csv .. "\r\n--" .. boundary .. "--\r\n"

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token, prefix = args[1], args[2] .. "-" .. tostring(thread_id or 0)
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end

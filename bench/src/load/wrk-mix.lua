-- A read/write mix: BENCH_MIX holds one request per line, "METHOD PATH BODY"
-- (the body, if any, after the second space), in the order they are sent;
-- every connection cycles through them. Prebuilt with wrk.format, so the
-- choice costs one table lookup per request.
local requests = {}
local mix = os.getenv("BENCH_MIX") or ""
for line in mix:gmatch("[^\n]+") do
  local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
  -- wrk adds Host only to its own default request.
  local headers = { Host = wrk.host .. ":" .. wrk.port }
  if body ~= nil and body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
  requests[#requests + 1] = wrk.format(method, path, headers, body)
end
local n = #requests
-- One thread (-t1): one cycle shared by every connection, so the mix is exact.
local i = 0

function request()
  i = i % n + 1
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"p50Us":%.1f,"p99Us":%.1f,' ..
    '"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end

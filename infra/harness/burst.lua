-- A burst (burst.ts): counts answers by status, and prints
-- one machine-readable line. One thread, so its counters are the run's.
local thread_of
function setup(thread)
  thread_of = thread
end

ok, limited, refused, failed = 0, 0, 0, 0
function response(status, headers, body)
  if status < 400 then
    ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
  elseif status == 503 then
    refused = refused + 1
  elseif status >= 500 then
    failed = failed + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BURST_RESULT {"requests":%d,"durationUs":%d,"p50Us":%.1f,"p99Us":%.1f,' ..
    '"ok":%d,"limited":%d,"refused":%d,"failed":%d,"socketErrors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    thread_of:get("ok"), thread_of:get("limited"), thread_of:get("refused"), thread_of:get("failed"),
    e.connect + e.read + e.write, e.timeout))
end

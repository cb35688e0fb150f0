// A legitimate visitor, in a container of its own (so its address is not the
// attacker's): reads the board and the counter four times a second and posts
// a message every two seconds, for the given seconds, then prints a summary.
//   docker run -i --network <edge> node - <proxy url> <seconds>   (this file on stdin)
const [proxy, seconds] = process.argv.slice(2)
const until = Date.now() + Number(seconds) * 1000
const latencies = []
const statuses = {}

async function call(path, init) {
  const started = performance.now()
  let status = 0
  try {
    const response = await fetch(`${proxy}${path}`, { ...init, signal: AbortSignal.timeout(10000) })
    await response.arrayBuffer()
    status = response.status
  } catch {}
  latencies.push(performance.now() - started)
  statuses[status] = (statuses[status] ?? 0) + 1
}

const json = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function reader() {
  while (Date.now() < until) {
    await Promise.all([call('/api/messages?limit=20'), call('/api/visits'), sleep(250)])
  }
}

async function writer() {
  for (let n = 0; Date.now() < until; n++) {
    await Promise.all([call('/api/messages', json({ content: `a visitor's message ${n}` })), sleep(2000)])
  }
}

Promise.all([reader(), writer()]).then(() => {
  latencies.sort((a, b) => a - b)
  const at = (q) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0)
  const requests = latencies.length
  const ok = Object.entries(statuses).reduce((sum, [s, n]) => sum + (s >= 200 && s < 300 ? n : 0), 0)
  console.log(JSON.stringify({ requests, ok, statuses, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) }))
})

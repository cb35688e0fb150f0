import { run } from '../../../harness/run.ts'

// Prometheus and Alertmanager publish no port and sit on internal networks,
// which the host cannot reach. The test asks them from a probe container on
// their network instead: a Node process doing nothing, into which each batch
// of GETs is one `docker exec` (tens of queries in about a second).

const FETCH_ALL = `
const urls = JSON.parse(process.argv[1])
Promise.all(urls.map(async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(15000) })
  return { status: response.status, body: await response.text() }
})).then((replies) => process.stdout.write(JSON.stringify(replies)), (error) => { console.error(String(error)); process.exit(1) })
`

export interface Probe {
  /** GETs every URL at once; each answer parsed as JSON (status 200 required). */
  // biome-ignore lint/suspicious/noExplicitAny: the Prometheus and Alertmanager APIs' JSON is read by the tests
  getJson(urls: string[]): Promise<any[]>
  remove(): Promise<void>
}

/** A probe container on `network`, from `image` (any image with Node; the api image here). */
export async function startProbe(network: string, image: string): Promise<Probe> {
  const { stdout } = await run('docker', [
    'run',
    '--detach',
    '--rm',
    '--network',
    network,
    '--read-only',
    '--cap-drop',
    'ALL',
    '--user',
    '1000:1000',
    '--memory',
    '128m',
    '--entrypoint',
    'node',
    image,
    '-e',
    'setInterval(() => {}, 1 << 30)',
  ])
  const id = stdout.trim()
  return {
    async getJson(urls) {
      const { stdout } = await run('docker', ['exec', id, 'node', '-e', FETCH_ALL, JSON.stringify(urls)])
      return (JSON.parse(stdout) as { status: number; body: string }[]).map(({ status, body }, i) => {
        if (status !== 200) throw new Error(`GET ${urls[i]}: ${status} ${body}`)
        return JSON.parse(body)
      })
    },
    async remove() {
      await run('docker', ['rm', '--force', id], { allowFailure: true })
    },
  }
}

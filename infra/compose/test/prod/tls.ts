import { join } from 'node:path'
import type { Test } from 'tap'
import { run, waitFor } from '../../../harness/run.ts'
import { freePort, REPO } from '../../../harness/stack.ts'
import type { ProdStack } from './prod-stack.ts'

const curl = (args: string[]) =>
  run('curl', ['-sS', '--max-time', '10', '-D', '-', '-o', '/dev/null', ...args])
const header = (headers: string, name: string) => new RegExp(`^${name}: *(.*?)\\r?$`, 'im').exec(headers)?.[1]

/**
 * tls.yml over prod.yml: the proxy serves HTTPS with the generated certificate,
 * redirects plain HTTP, and sends HSTS over TLS only; then back to plain HTTP
 * for the steps after this one.
 */
export async function tlsAtTheEdge(t: Test, { stack, proxyUrl, secretsDir }: ProdStack) {
  const httpsPort = await freePort()
  const tls = join(REPO, 'infra/compose/tls.yml')
  const env = { ...stack.env, HTTPS_PORT: String(httpsPort) }
  t.teardown(() => stack.compose(['up', '-d', '--no-deps', 'proxy']))
  await stack.composeWith([tls], ['up', '-d', '--no-deps', 'proxy'], { env })
  const https = `https://localhost:${httpsPort}`
  const cacert = join(secretsDir, 'tls_cert')
  const secure = await waitFor('the proxy to answer over TLS', 60_000, async () => {
    const result = await run(
      'curl',
      ['-sS', '--max-time', '5', '--cacert', cacert, '-D', '-', '-o', '/dev/null', `${https}/health/ready`],
      {
        allowFailure: true,
      },
    )
    return result.code === 0 && /^HTTP\/\S+ 200/m.test(result.stdout) ? result.stdout : undefined
  })
  t.pass('HTTPS answers, verified against the generated certificate')
  t.match(header(secure, 'strict-transport-security'), /^max-age=\d+/, 'HSTS over TLS')

  const plain = (await curl([`${proxyUrl}/api/visits?from=http`])).stdout
  t.match(plain, /^HTTP\/\S+ 308/m, 'plain HTTP is redirected')
  t.equal(header(plain, 'location'), `https://127.0.0.1:${httpsPort}/api/visits?from=http`)
  t.equal(header(plain, 'strict-transport-security'), undefined, 'no HSTS over plain HTTP')

  const untrusted = await run('curl', ['-sS', '--max-time', '5', `${https}/health/ready`], {
    allowFailure: true,
  })
  t.not(untrusted.code, 0, 'a client that does not trust the certificate is refused')

  await stack.compose(['up', '-d', '--no-deps', 'proxy'])
  await waitFor('the proxy to serve plain HTTP again', 60_000, async () => {
    const result = await run(
      'curl',
      ['-sS', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}', `${proxyUrl}/health/ready`],
      {
        allowFailure: true,
      },
    )
    return result.stdout === '200' ? true : undefined
  })
  const back = (await curl([`${proxyUrl}/health/ready`])).stdout
  t.equal(header(back, 'strict-transport-security'), undefined, 'and without TLS, no HSTS at all')
}

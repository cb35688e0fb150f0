import t from 'tap'
import { ConfigError, readConfig } from '../src/index.ts'

const token = (c: string) => c.repeat(40)

function issueOf(env: Record<string, string>, variable: string) {
  try {
    readConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.find((issue) => issue.variable === variable)
  }
  return undefined
}

t.test('admin tokens: one per line, named or not, several for rotation', async (t) => {
  const { tokens } = readConfig({
    ADMIN_TOKEN: `alice:${token('a')}\n\n# the old one, until clients move\n${token('b')}\n`,
  }).admin
  t.equal(tokens.length, 2)
  t.same(tokens[0], { id: 'alice', token: token('a') })
  t.match(tokens[1], { id: /^sha256:[0-9a-f]{12}$/, token: token('b') }, 'unnamed: named by a digest')
  t.notMatch(tokens[1]?.id, token('b').slice(0, 12), 'the digest is not the token')
})

t.test('a short or malformed token is refused, and the value is never echoed', async (t) => {
  for (const value of ['alice:short', 'has space in it but long enough to count as a token']) {
    const issue = issueOf({ ADMIN_TOKEN: value }, 'ADMIN_TOKEN')
    t.match(issue?.message, /at least 32 characters/)
    t.notMatch(issue?.message, value)
  }
})

t.test('CORS origins: exact origins only', async (t) => {
  t.same(readConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).cors.origins, [
    'https://a.example',
    'http://localhost:5173',
  ])
  t.match(issueOf({ CORS_ORIGINS: 'https://a.example/path' }, 'CORS_ORIGINS')?.message, /not an origin/)
  t.match(issueOf({ CORS_ORIGINS: '*' }, 'CORS_ORIGINS')?.message, /not an origin/)
})

t.test('the cursor key: at least 32 characters, and one per process when unset', async (t) => {
  t.match(issueOf({ CURSOR_SECRET: 'short' }, 'CURSOR_SECRET')?.message, /32/)
  t.not(readConfig({}).cursors.secret, readConfig({}).cursors.secret)
  t.equal(readConfig({ CURSOR_SECRET: 'k'.repeat(32) }).cursors.secret, 'k'.repeat(32))
})

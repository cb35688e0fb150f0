import { cpus } from 'node:os'
import { markdownTable } from '@app/testing'
import type { BurstResult } from '../../../harness/burst.ts'
import type { SlowlorisResult } from './attacks.ts'
import type { ReplicaMemory } from './replicas.ts'
import type { VisitorResult } from './visitor.ts'

export interface Measured {
  date: string
  commit: string
  posted: number
  pageReads: number
  pagesShed: number
  pagesSeconds: number
  forged: number
  peaks: ReplicaMemory[]
  unstored: number
  redisGrowthBytes: number
  flood: BurstResult
  floodVisitor: VisitorResult
  slow: SlowlorisResult
  slowLongestMs: number
  headerTimeoutS: number
  slowVisitor: VisitorResult
  final: ReplicaMemory[]
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
const range = (values: number[]) => {
  const [low, high] = [mb(Math.min(...values)), mb(Math.max(...values))]
  return low === high ? low : `${low}–${high}`
}
const visitor = (v: VisitorResult) =>
  `the visitor got ${v.ok} of ${v.requests} requests answered 2xx (p99 ${v.p99Ms} ms)`

/** docs/security.md, written from what the hostile suite measured. */
export function securityReport(m: Measured): string {
  const rss = m.peaks.map((p) => p.rssBytes)
  const heap = m.peaks.map((p) => p.heapUsedBytes)
  const local = m.peaks.map((p) => p.localCacheBytes)
  const { flood } = m
  const table = markdownTable(
    ['Attack', 'How the test does it', 'What the service did', 'What it cost'],
    [
      [
        'Heaviest messages',
        `${m.posted} posts of 1000 characters that JSON escapes (6 KB each), from one address`,
        'Stored: within the write limit (120 a minute per address per operation); the next are 429',
        'Pages of 100 such messages are 600 KB each',
      ],
      [
        'Every nameable page',
        `Every \`limit\` from 1 to 100, the whole board page by page with the cursors it was given, three times over the proxy: ${m.pageReads} reads in ${m.pagesSeconds} s`,
        `${m.pageReads - m.pagesShed} served, ${m.pagesShed} shed (503); ${m.unstored} pages were served without being stored, past a budget`,
        `Replica RSS peaked at ${range(rss)}, heap at ${range(heap)}, the in-process tier at ${range(local)}; Redis grew by ${mb(m.redisGrowthBytes)}`,
      ],
      [
        'Forged cursors',
        `${m.forged} well-formed cursors the service never issued`,
        'All 400 `INVALID_CURSOR`: nothing read, nothing cached',
        'None measurable',
      ],
      [
        'Read flood',
        `wrk, 100 connections for 10 s on the largest page, from one address`,
        `${flood.requests} requests (${flood.requestsPerSecond}/s): ${flood.limited} refused 429 by the edge limit (50 a second per address, bursts of 100), ${flood.ok} served, ${flood.refused} shed 503, ${flood.failed} failed; ${flood.timeouts} took over 2 s`,
        `Flood p99 ${flood.p99Ms} ms; ${visitor(m.floodVisitor)}`,
      ],
      [
        'Slow clients (slowloris)',
        `${m.slow.opened} connections sending a header line every 2 s, never ending the request`,
        `The proxy closed each within ${Math.round(m.slowLongestMs / 100) / 10} s (client_header_timeout ${m.headerTimeoutS} s); no replica saw them`,
        visitor(m.slowVisitor),
      ],
    ],
  )
  return [
    '# Security',
    '',
    '<!-- Written by infra/compose/test/hostile.test.ts (pnpm test:compose) from what it measured; do not edit by hand. -->',
    '',
    '## Hostile traffic',
    '',
    `Measured on ${m.date} at commit \`${m.commit}\`, ${cpus().length} cores: the production Compose stack`,
    '(`infra/compose/prod.yml`, three api replicas behind nginx) attacked through its proxy from the host with',
    'anonymous HTTP only, while a legitimate visitor on another address (a container on the stack network)',
    "reads the board and the counter four times a second and posts every two seconds. The app's per-address",
    "read budget and the proxy's limits are raised, so that the memory bounds are shown to hold on their own, as against",
    'many addresses, until the flood, for which the edge limits are back at their defaults; each limit is',
    'tested by itself elsewhere (below).',
    '',
    table,
    '',
    `Every replica was the one that started (no restart, no OOM kill) and ended at ${range(m.final.map((r) => r.rssBytes))} RSS,`,
    'under the documented bound of 230 MB (the RSS past which a replica sheds load, in a 256 MB container',
    'with a 128 MB heap cap).',
    '',
    '## What bounds what',
    '',
    '- **Memory of a replica**: the in-process cache tier is bounded in bytes (`CACHE_LOCAL_MAX_BYTES`, 16 MiB),',
    "  not entries; Redis's share of one cache group is bounded per TTL window (`CACHE_GROUP_MAX_BYTES`,",
    '  32 MiB: at most twice that is live), and a page past the budget is served from Postgres uncached',
    '  (`board_cache_unstored_total`). Load shedding refuses with 503 past 230 MB RSS or 112 MB of heap.',
    '- **Cache keys a client can choose**: list cursors are signed (HMAC-SHA256 with `CURSOR_SECRET`), so only',
    '  pages the service issued can be named; `limit` is an integer from 1 to 100.',
    '- **Requests per address**: writes (`RATE_LIMIT_MAX`, 120 a minute per operation) and reads',
    '  (`RATE_LIMIT_READ_MAX`, 600), counted in Redis for every replica; health probes and metrics are exempt.',
    '  While Redis is away the limit lets requests through, except for operations named in',
    '  `RATE_LIMIT_FAIL_CLOSED`, which get 503 (both tested in `apps/api/test/read-limit.test.ts`).',
    '- **Bodies, headers, JSON**: 16 KB bodies (`BODY_LIMIT_BYTES`), JSON nested at most 32 deep',
    '  (`JSON_MAX_DEPTH`), every write `application/json` (415 otherwise).',
    '- **At the edge**: nginx allows each address `NGINX_RATE_LIMIT` requests a second (50, bursts of',
    '  `NGINX_RATE_BURST` 100) and `NGINX_CONN_LIMIT` (64) at once, refused with a `429 EDGE_RATE_LIMITED`',
    '  problem; bodies over 64 KB, headers over 8 KB and longer URLs are refused there too, as problem+json.',
    '- **Connections**: the proxy bounds how long a client may take to send its headers and body (10 s), so a',
    '  slow client holds a proxy connection, never a replica.',
    '',
    '## Access',
    '',
    '- **Moderation**: `DELETE /api/messages/{id}` needs a bearer token of `ADMIN_TOKEN_FILE` (one `id:token`',
    '  per line, several for rotation), compared in constant time by @fastify/bearer-auth: 401 with',
    '  `WWW-Authenticate` without one, 403 with a wrong one; each deletion is logged with the token id',
    '  (`apps/api/test/moderation.test.ts`, and through the generated client).',
    '- **Cross-site requests**: CORS is closed unless `CORS_ORIGINS` lists an origin, and every write must be',
    '  `application/json`, which no form or simple request can send; Chromium on two other origins shows a',
    '  hostile page can neither write nor read, and an allowed one can (`apps/api/test/cross-origin.test.ts`).',
    '- **What the public sees**: `/health/ready` names the failed dependency only (`unavailable` or',
    '  `no answer within N ms`), the cause goes to the log; errors in production carry no stack, SQL or',
    '  internal names (`apps/api/test/fuzz.test.ts` runs in production mode and fails on any).',
    '- **Request ids**: a well-formed `x-request-id` is kept, anything else replaced; it is on every response',
    '  and every log line of the request (`apps/api/test/request-log.test.ts`).',
    '- **Secrets**: files from `infra/scripts/generate-secrets.sh`, mounted as Compose secrets and read through',
    '  `*_FILE` variables; the prod suite checks no secret is in an environment, argument or log.',
    '',
  ].join('\n')
}

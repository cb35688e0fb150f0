import { hostFetch } from './http.ts'
import { waitFor } from './run.ts'

/** What the service holds: the counter and every message, oldest pages included. */
export interface BoardState {
  visits: number
  messages: { id: number; content: string; createdAt: string }[]
}

export async function readBoard(baseUrl: string): Promise<BoardState> {
  const visits = await hostFetch(`${baseUrl}/api/visits`)
  if (visits.status !== 200) throw new Error(`GET /api/visits: ${visits.status} ${visits.body}`)
  const messages: BoardState['messages'] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `&cursor=${cursor}` : ''
    const page = await hostFetch(`${baseUrl}/api/messages?limit=100${query}`)
    if (page.status !== 200) throw new Error(`GET /api/messages: ${page.status} ${page.body}`)
    const body = page.json()
    messages.push(...body.items)
    cursor = body.nextCursor
  } while (cursor)
  return { visits: visits.json().count, messages }
}

/** Waits for GET /health/ready to answer 200 at `baseUrl`. */
export function waitReady(baseUrl: string, timeoutMs = 90_000) {
  return waitFor(`GET ${baseUrl}/health/ready = 200`, timeoutMs, async () => {
    const reply = await hostFetch(`${baseUrl}/health/ready`)
    return reply.status === 200 ? reply : undefined
  })
}

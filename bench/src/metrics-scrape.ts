/** How the list's reads were served, from the API's `board_cache_requests_total` (its METRICS_PORT). */
export interface ListReads {
  hits: number
  misses: number
}

export async function scrapeListReads(metricsUrl: string): Promise<ListReads> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text()
  const reads = { hits: 0, misses: 0 }
  for (const line of text.split('\n')) {
    if (!line.startsWith('board_cache_requests_total{') || !line.includes('group="messages"')) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (/outcome="hit_(local|store)"/.test(line)) reads.hits += value
    else reads.misses += value
  }
  return reads
}

/** Hits ÷ reads between two scrapes. */
export function hitRatio(before: ListReads, after: ListReads): number {
  const hits = after.hits - before.hits
  const total = hits + after.misses - before.misses
  return total > 0 ? hits / total : Number.NaN
}

import type { CacheReads, JsonLoader } from './types.ts'

type GetOrSetJson = CacheReads['getOrSetJson']

/** `getOrSet` (any JSON value, parsed on the way out) from a `getOrSetJson`. */
export function parsedReads(getOrSetJson: GetOrSetJson): CacheReads {
  return {
    getOrSetJson,
    async getOrSet(key, ttlSeconds, load) {
      const serialize: JsonLoader = async () => JSON.stringify(await load())
      const { json, hit } = await getOrSetJson(key, ttlSeconds, serialize)
      return { value: JSON.parse(json), hit }
    },
  }
}

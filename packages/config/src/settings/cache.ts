import Type from 'typebox'
import { setting } from '../setting.ts'
import { Integer } from './types.ts'

export const cache = {
  messagesTtlSeconds: setting(
    'MESSAGES_CACHE_TTL_SECONDS',
    Type.Integer({ minimum: 0, default: 60 }),
    'Lifetime of a cached list page; `0` turns the list cache off',
  ),
  publishFirstPage: setting(
    'CACHE_PUBLISH_FIRST_PAGE',
    Type.Boolean({ default: true }),
    "After a write, leave the list's new first page in the cache (one read of it per batch of writes) instead of only dropping every page",
  ),
  statusTtlSeconds: setting(
    'STATUS_CACHE_TTL_SECONDS',
    Type.Integer({ minimum: 1, default: 10 }),
    'Lifetime of the shared status snapshot',
  ),
  localMaxEntries: setting(
    'CACHE_LOCAL_MAX_ENTRIES',
    Integer(0, 1_000_000, 1000),
    'Cached entries also kept in process in front of Redis; `0` turns it off',
  ),
  localMaxBytes: setting(
    'CACHE_LOCAL_MAX_BYTES',
    Integer(0, 2 ** 32, 16 * 1024 * 1024),
    'Bytes the in-process tier may hold (16 MiB fits the 256 MB container beside a 128 MB heap cap); `0` turns it off',
  ),
  groupMaxBytes: setting(
    'CACHE_GROUP_MAX_BYTES',
    Integer(0, 2 ** 32, 32 * 1024 * 1024),
    "Bytes one group's entries (e.g. the list's pages) may add to Redis per TTL; what is live stays under twice this, and past it pages are served uncached. `0`: no bound",
  ),
  revisionPollMs: setting(
    'CACHE_REVISION_POLL_MS',
    Integer(50, 60_000, 500),
    "How often each replica reads the board's revision from Postgres: the longest a page can stay stale after a lost invalidation",
  ),
}

/**
 * The few primitives the cache needs. Redis provides them in production;
 * the in-memory store gives `pnpm dev` the same behaviour with no server.
 */
export interface CacheStore {
  /** Which backend this is, for logs and health reports. */
  readonly kind: 'redis' | 'memory'
  get(key: string): Promise<string | null>
  set(key: string, value: string, ttlMs: number): Promise<void>
  /**
   * SET PX, only while `budget.key` (a byte count expiring after
   * `budget.windowMs`) stays within `budget.maxBytes` with this value added:
   * atomic; false (and nothing written) when it would not.
   */
  setWithinBudget(
    key: string,
    value: string,
    ttlMs: number,
    budget: { key: string; maxBytes: number; windowMs: number },
  ): Promise<boolean>
  /** SET NX PX: true when this caller created the key. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>
  delete(key: string): Promise<void>
  /** Atomic INCRBY; a missing key counts from 0. Never expires. Returns the new total. */
  increment(key: string, by: number): Promise<number>
  /**
   * INCRBY on a key that expires `windowMs` after it was created (a fixed
   * window): the new total, and how long the window still runs.
   */
  incrementInWindow(key: string, by: number, windowMs: number): Promise<{ total: number; ttlMs: number }>
  /**
   * Once per `onceKey`: the first call increments `counterKey` and remembers
   * `tag` with the new total under `onceKey` for `ttlMs`, atomically; later
   * calls change nothing and get what the first one stored.
   */
  incrementOnce(
    counterKey: string,
    onceKey: string,
    tag: string,
    ttlMs: number,
  ): Promise<{ total: number; tag: string; first: boolean }>
  /** Sets the key to `value` if it is missing or holds a smaller number (atomic); returns what it holds after. Never expires. */
  raise(key: string, value: number): Promise<number>
  ping(): Promise<void>
}

/**
 * The few primitives the cache needs. Redis provides them in production;
 * the in-memory store gives `pnpm dev` the same behaviour with no server.
 */
export interface CacheStore {
  /** Which backend this is, for logs and health reports. */
  readonly kind: 'redis' | 'memory'
  get(key: string): Promise<string | null>
  set(key: string, value: string, ttlMs: number): Promise<void>
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
  ping(): Promise<void>
}

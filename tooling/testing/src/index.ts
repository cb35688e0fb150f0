export { usePostgres } from './postgres.ts'
export { type RedisNamespace, useRedis } from './redis.ts'
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
export type { Teardown } from './teardown.ts'

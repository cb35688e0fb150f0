import { type Config, ConfigError, readConfig } from '@app/config'

/**
 * The configuration of an entry point (server, migrate, dev): an invalid
 * environment prints every problem and exits 1 instead of a stack trace.
 */
export function orExit<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}

export function readConfigOrExit(env?: Record<string, string | undefined>): Config {
  return orExit(() => readConfig(env))
}

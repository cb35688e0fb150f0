/** The store did not answer: the caller should report 503, not 500. */
export class CacheUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`cache store unavailable during ${operation}`, { cause })
    this.name = 'CacheUnavailableError'
  }
}

/** Runs an operation whose answer only the store has: a failure is CacheUnavailableError. */
export async function unavailableOnError<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw new CacheUnavailableError(operation, error)
  }
}

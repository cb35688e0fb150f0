/** The part of tap's Test the helpers need. */
export interface Teardown {
  teardown(fn: () => unknown): void
}

import type { Teardown } from '@app/testing'

/** Collects what to undo, and undoes it in reverse order, once, even on Ctrl-C. */
export function createCleanup(): Teardown & { run(): Promise<void> } {
  const steps: (() => unknown)[] = []
  let running: Promise<void> | undefined
  return {
    teardown(step) {
      steps.push(step)
    },
    run() {
      running ??= (async () => {
        for (const step of steps.reverse()) {
          try {
            await step()
          } catch (error) {
            console.error('cleanup step failed:', error)
          }
        }
      })()
      return running
    },
  }
}

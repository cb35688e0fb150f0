interface Waiter<In, Out> {
  input: In
  resolve(output: Out): void
  reject(error: unknown): void
}

/**
 * Turns many concurrent calls into few round trips. The first call is sent at
 * once; calls that arrive while a batch is in flight wait and go together in
 * the next one, sent as soon as the first returns. So every call is answered
 * by a batch sent after the call was made (a read in it sees every write that
 * finished before the call), and the batch size follows the load by itself.
 *
 * `send` gets the inputs in arrival order and returns one output per input.
 */
export function createBatcher<In, Out>(
  send: (inputs: In[]) => Promise<Out[]>,
  /** Called when the last batch returned and no call waits: the batcher may be dropped. */
  onIdle?: () => void,
): (input: In) => Promise<Out> {
  let queue: Waiter<In, Out>[] = []
  let inFlight = false

  const flush = (): void => {
    if (inFlight || queue.length === 0) return
    const batch = queue
    queue = []
    inFlight = true
    Promise.resolve()
      .then(() => send(batch.map((waiter) => waiter.input)))
      .then(
        (outputs) => {
          batch.forEach((waiter, i) => {
            waiter.resolve(outputs[i] as Out)
          })
        },
        (error: unknown) => {
          for (const waiter of batch) waiter.reject(error)
        },
      )
      .finally(() => {
        inFlight = false
        if (queue.length === 0) onIdle?.()
        else flush()
      })
  }

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ input, resolve, reject })
      flush()
    })
}

/**
 * One batcher per key, made on first use and dropped once idle, for keys that
 * come and go (counters, client addresses). `send` gets the key with the batch.
 */
export function createKeyedBatcher<In, Out>(
  send: (key: string, inputs: In[]) => Promise<Out[]>,
): (key: string, input: In) => Promise<Out> {
  const batchers = new Map<string, (input: In) => Promise<Out>>()
  return (key, input) => {
    let batcher = batchers.get(key)
    if (!batcher) {
      batcher = createBatcher(
        (inputs: In[]) => send(key, inputs),
        () => batchers.delete(key),
      )
      batchers.set(key, batcher)
    }
    return batcher(input)
  }
}

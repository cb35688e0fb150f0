import t from 'tap'
import { createBatcher, createKeyedBatcher } from '../src/batcher.ts'

/** A send whose batches the test releases by hand. */
function controlledSend() {
  const batches: { inputs: number[]; release(): void }[] = []
  const send = (inputs: number[]) =>
    new Promise<number[]>((resolve) => {
      batches.push({ inputs, release: () => resolve(inputs.map((n) => n * 10)) })
    })
  return { batches, send }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

t.test('the first call goes at once; calls made meanwhile share the next batch', async (t) => {
  const { batches, send } = controlledSend()
  const call = createBatcher(send)
  const first = call(1)
  await tick()
  t.same(
    batches.map((b) => b.inputs),
    [[1]],
  )
  const rest = [call(2), call(3), call(4)]
  await tick()
  t.equal(batches.length, 1, 'nothing else is sent while a batch is in flight')
  batches[0]?.release()
  t.equal(await first, 10)
  await tick()
  t.same(batches[1]?.inputs, [2, 3, 4], 'then the waiting calls go together, in arrival order')
  batches[1]?.release()
  t.same(await Promise.all(rest), [20, 30, 40], 'each call gets its own output')
})

t.test('every call is answered by a batch sent after it was made', async (t) => {
  const sentAt: number[] = []
  let clock = 0
  const call = createBatcher(async (inputs: number[]) => {
    sentAt.push(clock)
    await tick()
    return inputs.map(() => sentAt.length - 1)
  })
  const made: { at: number; batch: Promise<number> }[] = []
  for (let i = 0; i < 50; i++) {
    clock++
    made.push({ at: clock, batch: call(i) })
    if (i % 7 === 0) await tick()
  }
  for (const { at, batch } of made) t.ok((sentAt[await batch] as number) >= at)
  t.ok(sentAt.length < 50, `${sentAt.length} batches for 50 calls`)
})

t.test('a failed batch fails its calls only; the next batch still goes', async (t) => {
  let fail = true
  const call = createBatcher(async (inputs: number[]) => {
    await tick()
    if (fail) throw new Error('store away')
    return inputs
  })
  const failed = call(1)
  const next = call(2)
  await t.rejects(failed, /store away/)
  fail = false
  t.equal(await next, 2)
})

t.test('onIdle is called once the last batch returned and no call waits', async (t) => {
  const { batches, send } = controlledSend()
  let idle = 0
  const call = createBatcher(send, () => idle++)
  const first = call(1)
  await tick()
  const second = call(2)
  batches[0]?.release()
  await first
  await tick()
  t.equal(idle, 0, 'not while a call waits for the next batch')
  batches[1]?.release()
  await second
  await tick()
  t.equal(idle, 1, 'once nothing is left')
})

t.test('a keyed batcher batches each key on its own', async (t) => {
  const sent: [string, number[]][] = []
  const call = createKeyedBatcher(async (key, inputs: number[]) => {
    sent.push([key, inputs])
    await tick()
    return inputs.map((n) => `${key}${n}`)
  })
  const results = await Promise.all([call('a', 1), call('b', 2), call('a', 3), call('a', 4)])
  t.same(results, ['a1', 'b2', 'a3', 'a4'])
  t.same(sent, [
    ['a', [1]],
    ['b', [2]],
    ['a', [3, 4]],
  ])
})

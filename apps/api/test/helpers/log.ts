import { Writable } from 'node:stream'

/** A stream for the app's log (`logStream`) and the lines written to it, parsed. */
export function captureLog(): { lines: Record<string, unknown>[]; logStream: Writable } {
  const lines: Record<string, unknown>[] = []
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, logStream }
}

#!/usr/bin/env node
// Preflight of the root scripts (`node tooling/ci/bin/check-node-version.cjs && turbo …`):
// stops with one clear message when the Node.js running it is outside the root
// package.json's engines.node, before anything fails deeper down (an older Node
// dies with ERR_UNKNOWN_FILE_EXTENSION on the first .ts file it is asked to run).
// CommonJS with nothing newer than ES2015 and no dependencies, so that it runs,
// and says what is wrong, on the old Node versions it exists to turn away.
'use strict'

// biome-ignore lint/style/useNodejsImportProtocol: Node.js before 14.18 cannot load node:fs.
const fs = require('fs')
// biome-ignore lint/style/useNodejsImportProtocol: as above.
const path = require('path')

const root = path.resolve(__dirname, '..', '..', '..')

/** [major, minor, patch] of "24", "24.1", "v24.1.2" or "24.x"; missing or x parts are null. */
function parts(text) {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(text)
  if (!match) throw new Error(`cannot read the version "${text}"`)
  return [match[1], match[2], match[3]].map((p) => (p === undefined || /[xX*]/.test(p) ? null : Number(p)))
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return 0
}

/** The first version above a partial one: 24 -> 25.0.0, 24.1 -> 24.2.0; null for "*". */
function next(p) {
  const known = p.filter((n) => n !== null).length
  if (known === 0) return null
  const up = p.slice(0, known)
  up[known - 1] += 1
  while (up.length < 3) up.push(0)
  return up
}

/** The comparators one range term stands for, as [operator, [major, minor, patch]] pairs. */
function comparators(term) {
  const match = /^(>=|<=|>|<|=|\^|~)?(\S+)$/.exec(term)
  if (!match) throw new Error(`cannot read the range term "${term}"`)
  const op = match[1] || '='
  const p = parts(match[2])
  const low = p.map((n) => (n === null ? 0 : n))
  const complete = p.every((n) => n !== null)
  const between = (up) =>
    up
      ? [
          ['>=', low],
          ['<', up],
        ]
      : []
  if (op === '^') return between(next(low[0] > 0 || p[1] === null ? p.slice(0, 1) : p.slice(0, 2)))
  if (op === '~') return between(next(p.slice(0, 2)))
  if (complete) return [[op, low]]
  // A partial version stands for every version it names: 24 is 24.0.0 up to 25.0.0.
  if (op === '=') return between(next(p))
  if (op === '>') return [['>=', next(p)]]
  if (op === '<=') return [['<', next(p)]]
  return [[op, low]]
}

/** True when version (e.g. "24.3.0") is in range: comparators joined by spaces (and), terms by "||" (or). */
function satisfies(version, range) {
  // A nightly or pre-release counts as its release (24.0.0-pre -> 24.0.0).
  const v = parts(version.replace(/[-+].*$/, ''))
  return range.split('||').some((alternative) =>
    alternative
      // ">= 8" is one term, as npm reads it.
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .reduce((all, term) => all.concat(comparators(term)), [])
      .every(([op, bound]) => {
        const c = compare(v, bound)
        if (op === '>=') return c >= 0
        if (op === '>') return c > 0
        if (op === '<=') return c <= 0
        if (op === '<') return c < 0
        return c === 0
      }),
  )
}

function readRange() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  // biome-ignore lint/complexity/useOptionalChain: Node.js before 14 cannot parse ?.
  if (!pkg.engines || !pkg.engines.node) throw new Error('package.json has no engines.node')
  return pkg.engines.node
}

function message(range, found) {
  let nvmrc = ''
  try {
    nvmrc = fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').trim()
  } catch (_) {
    // Without .nvmrc the hint names only the range.
  }
  return [
    `This project needs Node.js ${range} (found ${found}).`,
    `Install it with \`nvm install\` (reads .nvmrc${nvmrc ? `: ${nvmrc}` : ''}), or from https://nodejs.org/en/download,`,
    'then run `pnpm install` again.',
  ].join('\n')
}

module.exports = { satisfies, readRange, message }

if (require.main === module) {
  let range
  let ok
  try {
    range = readRange()
    ok = satisfies(process.versions.node, range)
  } catch (error) {
    console.error(`check-node-version: ${error.message} (root package.json engines.node)`)
    process.exit(1)
  }
  if (!ok) {
    console.error(message(range, process.version))
    process.exit(1)
  }
}

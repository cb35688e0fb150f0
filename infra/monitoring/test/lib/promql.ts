// What the monitoring test does with PromQL text: Grafana's variables replaced
// as Grafana would, an alert's threshold taken off, metric names picked out.
// Deliberately small: it handles the expressions in this repository, and the
// live test fails loudly on anything it cannot split.

/** Values for Grafana's built-in interval variables, for a 10 s scrape interval. */
export const GRAFANA_INTERVALS: Record<string, string> = {
  // Grafana: max(4 × scrape interval, $__interval + scrape interval) = 40 s at
  // least; 1 m holds six scrapes.
  __rate_interval: '1m',
  __interval: '30s',
  __range: '1h',
}

/** Grafana's regex escaping of a variable's value inside `=~"…"` (backslashes doubled for PromQL's string). */
const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`)

/** The query Grafana sends: built-in intervals and dashboard variables replaced. */
export function substitute(expr: string, variables: Record<string, string> = {}): string {
  return expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (match, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string
    const builtIn = GRAFANA_INTERVALS[name]
    if (builtIn) return builtIn
    const value = variables[name]
    if (value === undefined) throw new Error(`no value for ${match} in ${expr}`)
    return escapeRegex(value)
  })
}

const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<']

/**
 * An alert expression as [signal, operator, threshold]: split at its last
 * comparison outside parentheses, braces, brackets and strings. An expression
 * without one (absent(…)) gives [expr].
 */
export function splitThreshold(expr: string): [string] | [string, string, string] {
  let depth = 0
  let quote: string | undefined
  let split: { at: number; op: string } | undefined
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = undefined
      continue
    }
    if (c === '"' || c === "'" || c === '`') quote = c
    else if ('({['.includes(c)) depth++
    else if (')}]'.includes(c)) depth--
    else if (depth === 0) {
      const op = COMPARISONS.find((candidate) => expr.startsWith(candidate, i))
      // `=~`/`!~` live inside braces only; a lone `=` is not PromQL outside them.
      if (op) {
        split = { at: i, op }
        i += op.length - 1
      }
    }
  }
  if (!split) return [expr.trim()]
  const threshold = expr.slice(split.at + split.op.length).trim()
  // `> bool 1` and the like are not used here; say so rather than mis-split.
  if (/^bool\b/.test(threshold)) throw new Error(`cannot split ${expr}`)
  return [expr.slice(0, split.at).trim(), split.op, threshold]
}

/** The argument of absent(…), or undefined. */
export function absentArgument(expr: string): string | undefined {
  const match = /^absent\((.*)\)$/s.exec(expr.trim())
  return match?.[1]
}

const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'absent',
  'max_over_time',
  'min_over_time',
  'avg_over_time',
  'vector',
  'label_values',
  'le',
  'topk',
  'bottomk',
  'inf',
  'nan',
])

/** Metric names an expression selects (identifiers not inside braces that are not functions, keywords or labels). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>()
  // Drop strings, label matchers and grouping clauses: what is left are names, functions, keywords, numbers.
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '')
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0]
    if (KEYWORDS.has(name.toLowerCase())) continue
    // A function call, not a metric.
    if (
      bare
        .slice(match.index + name.length)
        .trimStart()
        .startsWith('(')
    )
      continue
    names.add(name)
  }
  return [...names].sort()
}

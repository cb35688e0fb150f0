import t from 'tap'
import { REPO, shellScripts } from '../src/repo.ts'
import { run } from '../src/run.ts'

// Debian's shellcheck (`apt-get install shellcheck`; .ci/run and the workflow
// install it). Its settings are the repository's .shellcheckrc: sourced files
// are followed, so a function is checked where it is used.
const scripts = shellScripts()

t.test('shellcheck is installed', async (t) => {
  const version = await run('shellcheck', ['--version'])
  t.equal(version.code, 0, 'shellcheck --version (apt-get install shellcheck)')
})

t.test('every shell script is found: *.sh and #! sh/bash files, .ci/run included', async (t) => {
  for (const file of [
    '.ci/run',
    'infra/scripts/backup.sh',
    'infra/scripts/lib/compose.sh',
    'infra/redis/redis-entrypoint.sh',
  ])
    t.ok(scripts.includes(file), file)
})

t.test('every shell script passes shellcheck', async (t) => {
  for (const file of scripts) {
    const result = await run('shellcheck', [file], { cwd: REPO })
    t.equal(result.code, 0, file, { diagnostic: result.code !== 0, output: result.output })
  }
})

t.test('shellcheck reports what it should (an unquoted expansion)', async (t) => {
  const result = await run('shellcheck', ['--shell=sh', '-'], {
    cwd: REPO,
    input: '#!/bin/sh\nrm -rf $1/tmp\n',
  })
  t.not(result.code, 0)
  t.match(result.output, 'SC2086')
})

import t, { type Test } from 'tap'
import { comesUpHealthyWithin90Seconds } from './prod/comes-up.ts'
import { aSourceEditKeepsTheDependencyLayers, theImageHoldsOnlyWhatRuns } from './prod/image.ts'
import {
  everyContainerIsHardened,
  noSecretInEnvironmentArgumentsOrLogs,
  noSecretInTheImage,
  redisRefusesStrangersAndDangerousCommands,
  secretFilesAreOwnerOnly,
  storesArePrivate,
  theApiRoleMayOnlyReadInsertAndDelete,
} from './prod/isolation.ts'
import {
  backupThenRestoreGivesTheSameBoard,
  dataSurvivesDownAndUp,
  scriptedWritesSurviveARedisCrash,
} from './prod/persistence.ts'
import { createProdStack, needsStack, type ProdStack } from './prod/prod-stack.ts'
import { aReplicaThatDiesLosesNoRequest } from './prod/replica-faults.ts'
import { replicasShareOneBoard } from './prod/shared-board.ts'
import { tlsAtTheEdge } from './prod/tls.ts'
import { theWriteLimitIsOneBudgetForEveryReplica } from './prod/write-limit.ts'

// The production stack exactly as the README runs it (prod.yml, secrets from
// generate-secrets.sh, three replicas behind the proxy), built and brought up
// once: a stack takes a minute to build and start, so the steps share it, in
// this order. Each step writes what it checks and says what it proves (its
// function's name); only "the stack is up" carries over from the first one.
const prod = await createProdStack(t)
t.comment(`compose project ${prod.stack.project}, proxy at ${prod.proxyUrl}`)

type Step = (t: Test, prod: ProdStack) => Promise<void>
const steps: [string, Step][] = [
  ['prod.yml builds and is ready through the proxy within 90 s of up', comesUpHealthyWithin90Seconds],
  ['migrations run once for three replicas, which share one counter and one board', replicasShareOneBoard],
  ['the counter and the messages survive down and up', dataSurvivesDownAndUp],
  ["what Redis's scripts wrote survives a crash of Redis", scriptedWritesSurviveARedisCrash],
  ['only the proxy is reachable; Postgres and Redis are on internal networks', storesArePrivate],
  [
    'Redis wants a password and refuses dangerous commands to the app',
    redisRefusesStrangersAndDangerousCommands,
  ],
  ['every container is non-root, read-only, without capabilities, limited', everyContainerIsHardened],
  ['no secret is in an environment, an argument or a log', noSecretInEnvironmentArgumentsOrLogs],
  ['secret files are readable by their one reader only, and never printed', secretFilesAreOwnerOnly],
  ['no secret is in the api image', noSecretInTheImage],
  ['the api role may only read, insert and delete; no other database', theApiRoleMayOnlyReadInsertAndDelete],
  [
    'TLS at the edge: HTTPS with the generated certificate, HTTP redirected, HSTS over TLS only',
    tlsAtTheEdge,
  ],
  ['a crashed, a stopped and a killed replica lose no request', aReplicaThatDiesLosesNoRequest],
  ['backup, wipe the volumes, restore: the same board comes back', backupThenRestoreGivesTheSameBoard],
  ['the write limit is one budget for every replica', theWriteLimitIsOneBudgetForEveryReplica],
  ['the api image holds only what runs', theImageHoldsOnlyWhatRuns],
  ['a one-line source edit rebuilds without reinstalling dependencies', aSourceEditKeepsTheDependencyLayers],
]
for (const [index, [name, step]] of steps.entries()) {
  t.test(name, async (t) => {
    if (index === 0 || needsStack(t, prod)) await step(t, prod)
  })
}

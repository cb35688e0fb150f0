// Runs in a throwaway container of the api image (docker run -i --entrypoint node IMAGE - < this file):
// prints what the image holds as JSON, for the image test's assertions.
const fs = require('node:fs')
const path = require('node:path')

const exists = (file) => fs.existsSync(file)
const modules = fs.readdirSync('/app/node_modules/.pnpm')
const files = fs.readdirSync('/app', { recursive: true }).map(String)
const devPackage =
  /^(typescript|tap|@tapjs|@electric-sql|pino-pretty|testcontainers|drizzle-kit|@biomejs|turbo)[@+]/
const isSource = (file) => (file.endsWith('.ts') && !file.endsWith('.d.ts')) || file.startsWith('src')

console.log(
  JSON.stringify({
    uid: process.getuid(),
    entry: ['dist/server.js', 'dist/migrate.js', 'node_modules/@app/db/migrations/meta/_journal.json'].every(
      (file) => exists(path.join('/app', file)),
    ),
    devPackages: modules.filter((name) => devPackage.test(name)),
    packageManagers: ['npm', 'npx', 'pnpm', 'corepack', 'yarn'].filter((bin) =>
      ['/usr/local/bin', '/usr/bin', '/bin'].some((dir) => exists(path.join(dir, bin))),
    ),
    sources: files.filter((file) => !file.startsWith('node_modules') && isSource(file)),
    sourceMaps: files.filter((file) => file.endsWith('.map')),
  }),
)

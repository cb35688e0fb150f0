import t from 'tap'
import { untaggedBases } from '../src/dockerfile-bases.ts'
import { readRepoFile, repoFiles } from '../src/repo.ts'

// hadolint's DL3006 is off (.hadolint.yaml): it cannot see that an ARG's
// default tags the image. This is the same rule, reading the defaults.
const dockerfiles = repoFiles().filter((file) => /(^|\/)Dockerfile$/.test(file))

t.test('both Dockerfiles are checked', async (t) => {
  for (const file of ['apps/api/Dockerfile', 'infra/redis/Dockerfile']) t.ok(dockerfiles.includes(file), file)
})

t.test('every FROM names a tagged image, directly or through its ARG default', async (t) => {
  for (const file of dockerfiles) t.same(untaggedBases(readRepoFile(file)), [], file)
})

t.test('the check reports what it should (an untagged default, an untagged image)', async (t) => {
  const found = untaggedBases(
    'ARG BASE=node\nFROM $BASE AS build\nFROM build AS test\nFROM debian\nFROM scratch\n',
  )
  t.same(
    found.map((f) => `${f.line} ${f.from}: ${f.problem}`),
    ['2 $BASE: ARG BASE has no tagged default (node)', '4 debian: no tag or digest'],
  )
})

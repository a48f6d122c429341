// Each fixture is a project written the way Pikku users write one: codegen must
// accept it, the result must type-check with the project's own tsconfig, and
// its workers must run real jobs on Redis, added by a plain BullMQ producer.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { copyProject, FIXTURES, pikku, runFixtureJobs, typeCheck } from './fixture-project.js'

interface Expected {
  state: string
  result?: unknown
  failedReason?: string
  attemptsMade?: number
}

describe('fixture projects', () => {
  for (const name of readdirSync(FIXTURES).sort()) {
    test(name, { timeout: 120_000 }, () => {
      const { root, remove } = copyProject(join(FIXTURES, name))
      try {
        const run = pikku(root)
        assert.equal(run.status, 0, run.stderr)
        assert.equal(typeCheck(root), '')
        const fixture = JSON.parse(readFileSync(join(root, 'fixture.json'), 'utf8')) as {
          expect?: Expected[]
          scheduled?: string[]
          runs?: Record<string, unknown>
          /** Extra environment for the worker process, e.g. NODE_ENV. */
          env?: Record<string, string>
        }
        const expect = fixture.expect ?? []
        const { outcomes, scheduled, runs, output } = runFixtureJobs(root, fixture.env)
        assert.ok(outcomes, output)
        assert.deepEqual(scheduled, [...(fixture.scheduled ?? [])].sort(), output)
        assert.deepEqual(runs, fixture.runs ?? {}, output)
        assert.equal(outcomes.length, expect.length)
        expect.forEach((expected, i) => {
          const outcome = outcomes[i]!
          assert.equal(outcome.state, expected.state, `job ${i}: ${outcome.failedReason ?? ''}`)
          if ('result' in expected) assert.deepEqual(outcome.result, expected.result, `job ${i}`)
          if (expected.failedReason) assert.ok(outcome.failedReason?.includes(expected.failedReason), `job ${i}: ${outcome.failedReason}`)
          if (expected.attemptsMade !== undefined) assert.equal(outcome.attemptsMade, expected.attemptsMade, `job ${i}`)
        })
      } finally {
        remove()
      }
    })
  }
})

// The JSON Schemas codegen derives from TypeScript input types, checked by what they accept
// and refuse through the generated schema service, and by the messages a producer sees.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { copyProject, pikku } from './fixture-project.js'

const FUNCTIONS = `import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'

interface Tree {
  label: string
  children?: Tree[]
}
type Status = 'new' | 'done'
enum Level {
  Low = 1,
  High = 2,
}

export const rich = pikkuSessionlessFunc<
  {
    id: string
    count: number
    flag?: boolean
    status: Status
    level: Level
    tags: readonly string[]
    pair: [string, number]
    scores: Record<string, number>
    tree: Tree
    note: string | null
    both: { a: string } & { b: number }
    anything?: unknown
    maybe: string | undefined
  },
  void
>(async () => {})
`

const VALID = {
  id: 'x',
  count: 1,
  status: 'new',
  level: 2,
  tags: ['a'],
  pair: ['a', 1],
  scores: { a: 1 },
  tree: { label: 'root', children: [{ label: 'leaf' }] },
  note: null,
  both: { a: 'a', b: 1 },
  anything: { deep: [1] },
}

let project: { root: string; remove: () => void }
let validate: (data: unknown) => void

before(async () => {
  project = copyProject({ 'src/functions.ts': FUNCTIONS })
  const run = pikku(project.root)
  assert.equal(run.status, 0, run.stderr)
  const register = readFileSync(join(project.root, '.pikku', 'schemas', 'register.gen.ts'), 'utf8')
  const start = register.indexOf('{', register.indexOf('addSchema("RichInput"'))
  const schema = JSON.parse(register.slice(start, register.indexOf('\n})', start) + 2))
  const { JsonSchemaService } = await import(pathToFileURL(join(project.root, '.pikku', 'schemas', 'json-schema-service.gen.ts')).href)
  const service = new JsonSchemaService()
  service.compileSchema('RichInput', schema)
  validate = (data) => service.validateSchema('RichInput', data)
})
after(() => project.remove())

describe('schemas from TypeScript types', () => {
  test('accept data of the type, optional and possibly-undefined properties left out', () => {
    validate(VALID)
    const { flag: _flag, anything: _anything, ...required } = { ...VALID, flag: true }
    validate(required)
  })

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a literal union', { status: 'open' }, /status: expected one of "new", "done", got "open"/],
    ['an enum', { level: 3 }, /level: expected one of 1, 2, got 3/],
    ['array elements', { tags: ['a', 1] }, /tags\[1\]: expected string, got number/],
    ['a tuple', { pair: ['a', 'b'] }, /pair\[1\]: expected number, got string/],
    ['a tuple that is too long', { pair: ['a', 1, 2] }, /pair: must NOT have more than 2 items/],
    ['Record values', { scores: { a: 'high' } }, /scores\.a: expected number, got string/],
    ['a recursive type, deep down', { tree: { label: 'r', children: [{ children: [] }] } }, /tree\.children\[0\]\.label: required, expected string/],
    ['null where a string or null is expected', { note: 5 }, /note: expected null or string, got number$/],
    ['both sides of an intersection', { both: { a: 'a' } }, /both\.b: required, expected number/],
    ['a property the type does not have', { extra: true }, /extra: not an expected field \(expected: id, count, flag, status/],
  ]
  for (const [what, change, message] of refused) {
    test(`refuse ${what}, naming the field and what was expected`, () => {
      assert.throws(() => validate({ ...VALID, ...change }), (error: Error) => {
        assert.equal(error.name, 'UnprocessableContentError')
        assert.match(error.message, /^Invalid data for RichInput: /)
        assert.match(error.message, message)
        return true
      })
    })
  }
})

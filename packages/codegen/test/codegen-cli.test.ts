import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, type Dirent, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { after, describe, test } from 'node:test'
import { copyProject, pikku, typeCheck } from './fixture-project.js'

const removers: Array<() => void> = []
after(() => removers.forEach((remove) => remove()))

const FUNCTIONS = `import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'
export const echo = pikkuSessionlessFunc<{ text: string }, { text: string }>(async (_s, data) => data)
`
const ROUTES = `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'
import { echo } from './functions.js'
wireQueueWorker({ name: 'echo', func: echo })
`
/** A workflow whose body is `body` (the statements of its func), in src/flow.ts. */
const workflow = (body: string, { exported = true, name = 'flow' } = {}) => `import { pikkuWorkflowFunc } from '../.pikku/pikku-types.gen.js'
${exported ? 'export ' : ''}const ${name} = pikkuWorkflowFunc<{ text: string }, string>(async (_services, data, { workflow }) => {
  ${body}
})
`

/** A project with the given files, no tsconfig.json (codegen's defaults apply), removed after the tests. */
function project(files: Record<string, string>): string {
  const { root, remove } = copyProject(files, { tsconfig: false })
  removers.push(remove)
  return root
}

/** Every file below dir, path → content. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name)
        return [relative(dir, path), readFileSync(path, 'utf8')]
      })
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  )
}

let generated: string | undefined
/** A copy of a project that generated cleanly once, so each mistake test pays for one run only. */
function copyOfGenerated(): string {
  if (!generated) {
    generated = project({ 'src/functions.ts': FUNCTIONS, 'src/routes.ts': ROUTES })
    assert.equal(pikku(generated).status, 0)
  }
  const root = mkdtempSync(join(tmpdir(), 'pikku-codegen-'))
  removers.push(() => rmSync(root, { recursive: true, force: true }))
  cpSync(generated, root, { recursive: true, verbatimSymlinks: true })
  return root
}

describe('pikku codegen', () => {
  test('writes meta, typed producer and a bootstrap that loads meta before wirings', () => {
    const root = project({ 'src/functions.ts': FUNCTIONS, 'src/routes.ts': ROUTES })
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /wrote \.pikku\/ — 1 function\(s\), 1 queue worker\(s\)/)

    const read = (file: string) => readFileSync(join(root, '.pikku', file), 'utf8')
    assert.match(read('function/pikku-functions-meta.gen.ts'), /"echo": \{\s+"pikkuFuncId": "echo",\s+"sessionless": true/)
    assert.match(read('queue/pikku-queue-workers-wirings-meta.gen.ts'), /"echo": \{\s+"pikkuFuncId": "echo",\s+"name": "echo"/)
    assert.match(read('queue/pikku-queue-workers-wirings.gen.ts'), /import '\.\.\/\.\.\/src\/routes\.js'/)
    assert.match(read('queue/pikku-queue-map.gen.ts'), /readonly "echo": \{\s+readonly input: \{\s+text: string\s+\}/)
    assert.match(read('schemas/register.gen.ts'), /addSchema\("EchoInput", \{\s+"type": "object"/)
    const bootstrap = read('pikku-bootstrap.gen.ts').split('\n').filter((l) => l.startsWith('import'))
    assert.deepEqual(bootstrap, [
      "import './function/pikku-functions-meta.gen.js'",
      "import './schemas/register.gen.js'",
      "import './queue/pikku-queue-workers-wirings-meta.gen.js'",
      "import './scheduler/pikku-schedulers-meta.gen.js'",
      "import './workflow/pikku-workflows-meta.gen.js'",
      "import './rpc/pikku-rpc-meta.gen.js'",
      "import './middleware/pikku-hook-factories.gen.js'",
      "import './queue/pikku-queue-workers-wirings.gen.js'",
      "import './scheduler/pikku-schedulers-wirings.gen.js'",
      "import './workflow/pikku-workflow-wirings.gen.js'",
    ])
  })

  test('a second run changes nothing, not even modification times', () => {
    const root = project({ 'src/functions.ts': FUNCTIONS, 'src/routes.ts': ROUTES })
    assert.equal(pikku(root).status, 0)
    const file = join(root, '.pikku', 'pikku-types.gen.ts')
    const before = { content: readFileSync(file, 'utf8'), mtime: statSync(file).mtimeMs }
    const again = pikku(root)
    assert.equal(again.status, 0)
    assert.match(again.stdout, /unchanged \.pikku\//)
    assert.equal(readFileSync(file, 'utf8'), before.content)
    assert.equal(statSync(file).mtimeMs, before.mtime)
  })

  test('uses the project types found by what they extend, and core types for the rest', () => {
    const root = project({
      'src/types.ts': `import type { CoreConfig as Base } from '@pikku/core'\nexport interface AppConfig extends Base { redisUrl: string }\n`,
      'src/functions.ts': FUNCTIONS,
      'src/routes.ts': ROUTES,
    })
    assert.equal(pikku(root).status, 0)
    const types = readFileSync(join(root, '.pikku', 'pikku-types.gen.ts'), 'utf8')
    assert.match(types, /import type \{ AppConfig as Config \} from '\.\.\/src\/types\.js'/)
    assert.match(types, /type SingletonServices = CoreSingletonServices<Config>/)
  })

  const mistakes: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a queue wired twice',
      { 'src/functions.ts': FUNCTIONS, 'src/routes.ts': `${ROUTES}wireQueueWorker({ name: 'echo', func: echo })\n` },
      /^src\/routes\.ts:4:25 queue "echo" is already wired at src\/routes\.ts:3:25/m,
    ],
    [
      'a queue name the runtime keeps for itself',
      { 'src/functions.ts': FUNCTIONS, 'src/routes.ts': ROUTES.replace("name: 'echo'", "name: 'pikku-schedules'") },
      /^src\/routes\.ts:3:25 queue name "pikku-schedules" is reserved: the scheduler runs every scheduled task's ticks on it; choose another name/m,
    ],
    [
      'a queue name that is not a literal',
      { 'src/functions.ts': FUNCTIONS, 'src/routes.ts': ROUTES.replace("name: 'echo'", 'name: String(Date.now())') },
      /^src\/routes\.ts:3:25 the queue name must be known when codegen runs: a string literal or a const holding one/m,
    ],
    [
      'two functions with one id',
      { 'src/routes.ts': ROUTES.replace("import { echo } from './functions.js'", "import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'\nconst echo = pikkuSessionlessFunc(async () => 1)") },
      /^src\/routes\.ts:3:7 function id echo is also used at src\/functions\.ts:2:14; Pikku function ids must be unique/m,
    ],
    [
      'a worker that needs a session',
      { 'src/functions.ts': FUNCTIONS.replaceAll('pikkuSessionlessFunc', 'pikkuFunc'), 'src/routes.ts': ROUTES },
      /^src\/routes\.ts:3:39 queue "echo": echo is declared with pikkuFunc, which needs a user session/m,
    ],
    [
      'func that is not a Pikku function',
      { 'src/routes.ts': `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'\nconst plain = async () => 1\nwireQueueWorker({ name: 'echo', func: plain })\n` },
      /^src\/routes\.ts:3:39 queue "echo": plain is not a function declared with pikkuSessionlessFunc/m,
    ],
    [
      'a wiring that spells the queue name queue:',
      { 'src/routes.ts': ROUTES.replace("name: 'echo'", "queue: 'echo'") },
      /^src\/routes\.ts:3:19 wireQueueWorker takes the queue name as name:, not queue: \(rename the property: name: 'echo'\)/m,
    ],
    [
      'a wiring without a name',
      { 'src/routes.ts': ROUTES.replace("name: 'echo', ", '') },
      /^src\/routes\.ts:3:17 wireQueueWorker needs the queue name: add name: "my-queue"/m,
    ],
    [
      'a wiring that is not an object literal',
      { 'src/routes.ts': ROUTES.replace("wireQueueWorker({ name: 'echo', func: echo })", "const worker = { name: 'echo', func: echo }\nwireQueueWorker(worker)") },
      /^src\/routes\.ts:4:17 wireQueueWorker needs an object literal written in place/m,
    ],
    [
      'a core wiring this runtime cannot run',
      { 'src/http.ts': `import { wireHTTP } from '@pikku/core/http'\nimport { echo } from './functions.js'\nwireHTTP({ method: 'post', route: '/echo', func: echo })\n` },
      /^src\/http\.ts:3:1 wireHTTP is not supported in this project: its runtime is BullMQ/m,
    ],
    [
      'a function defined where codegen cannot name it',
      { 'src/more.ts': `import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'\nexport function make() {\n  return pikkuSessionlessFunc(async () => 1)\n}\n` },
      /^src\/more\.ts:3:10 pikkuSessionlessFunc\(\.\.\.\) must be the value of a top-level const/m,
    ],
    [
      'an input type that does not survive JSON',
      { 'src/functions.ts': FUNCTIONS.replace('{ text: string }, { text: string }', '{ at: Date }, { text: string }').replace('async (_s, data) => data', "async () => ({ text: '' })") },
      /^src\/functions\.ts:2:\d+ the input of echo cannot be validated: data\.at is a Date, which arrives as a string after JSON: declare it as a string/m,
    ],
    [
      'an input type taken from a package, which codegen does not read',
      { 'src/functions.ts': `import type { ZodType } from 'zod'\n${FUNCTIONS.replace('{ text: string }, { text: string }', '{ schema: ZodType }, { text: string }').replace('async (_s, data) => data', "async () => ({ text: '' })")}` },
      /^src\/functions\.ts:3:\d+ the input of echo cannot be validated: data\.schema has a type codegen cannot read \(imported from a package, or not found\): declare its shape in the project/m,
    ],
    [
      'tags that are not known at codegen time',
      { 'src/routes.ts': ROUTES.replace('func: echo })', 'func: echo, tags: [String(1)] })') },
      /^src\/routes\.ts:3:51 tags must be known when codegen runs: an array of string literals/m,
    ],
    [
      'an inline Standard Schema worker, whose type the producer cannot import',
      {
        'src/routes.ts': `import { z } from 'zod'\nimport { pikkuSessionlessFunc, wireQueueWorker } from '../.pikku/pikku-types.gen.js'\nwireQueueWorker({ name: 'echo', func: pikkuSessionlessFunc({ input: z.object({ a: z.string() }), func: async (_s, { a }) => a }) })\n`,
      },
      /^src\/routes\.ts:3:39 queue "echo": echoWorker takes a Standard Schema input, so the typed producer imports its type: export it/m,
    ],
    [
      'an unknown key in pikku.config.json',
      { 'pikku.config.json': JSON.stringify({ srcDirectories: ['src'], outdir: '.pikku' }) },
      /^pikku\.config\.json:1:1 unknown key "outdir" in pikku\.config\.json; the keys are srcDirectories, outDir, tsconfig and exclude/m,
    ],
    [
      'a broken tsconfig.json',
      { 'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nonsense' } }) },
      /^tsconfig\.json:1:1 Argument for '--module' option must be/m,
    ],
    [
      'a schedule that is not a cron pattern',
      { 'src/tasks.ts': `import { pikkuVoidFunc, wireScheduler } from '../.pikku/pikku-types.gen.js'\nwireScheduler({ name: 'nightly', schedule: '61 * * * *', func: pikkuVoidFunc(async () => {}) })\n` },
      /^src\/tasks\.ts:2:44 the schedule of "nightly", "61 \* \* \* \*", is not a valid cron pattern \(Constraint error, got value 61 expected range 0-59\); use 5 fields/m,
    ],
    [
      'a scheduled task with both a cron schedule and an interval',
      { 'src/tasks.ts': `import { pikkuVoidFunc, wireScheduler } from '../.pikku/pikku-types.gen.js'\nwireScheduler({ name: 'sync', schedule: '* * * * *', every: '5m', func: pikkuVoidFunc(async () => {}) })\n` },
      /^src\/tasks\.ts:2:61 scheduled task "sync" has both schedule and every; keep one/m,
    ],
    [
      'an interval that is not a duration',
      { 'src/tasks.ts': `import { pikkuVoidFunc, wireScheduler } from '../.pikku/pikku-types.gen.js'\nwireScheduler({ name: 'sync', every: 'soon', func: pikkuVoidFunc(async () => {}) })\n` },
      /^src\/tasks\.ts:2:38 every of "sync" must be a literal interval known when codegen runs: milliseconds \(e\.g\. 300000\) or a duration such as "30s"/m,
    ],
    [
      'an unknown time zone',
      { 'src/tasks.ts': `import { pikkuVoidFunc, wireScheduler } from '../.pikku/pikku-types.gen.js'\nwireScheduler({ name: 'nightly', schedule: '0 3 * * *', tz: 'Mars/Olympus', func: pikkuVoidFunc(async () => {}) })\n` },
      /^src\/tasks\.ts:2:61 tz of "nightly" must be an IANA time zone as a string literal, e\.g\. "Europe\/Paris"/m,
    ],
    [
      'a scheduled function that takes input',
      { 'src/tasks.ts': `import { wireScheduler } from '../.pikku/pikku-types.gen.js'\nimport { echo } from './functions.js'\nwireScheduler({ name: 'nightly', schedule: '0 3 * * *', func: echo })\n` },
      /^src\/tasks\.ts:3:63 scheduled task "nightly": echo takes input, but a scheduled task runs with no data/m,
    ],
    [
      'an import of a #pikku/* module codegen does not generate',
      { 'src/http.ts': `import { wireHTTP } from '#pikku/http'\nwireHTTP({ route: '/x' })\n` },
      /^src\/http\.ts:1:26 '#pikku\/http' is not generated by pikku-codegen: this project runs on BullMQ, which runs queue workers and scheduled tasks; HTTP wirings need an HTTP runtime\. The generated modules are #pikku\/function, .*#pikku\/queue, .*#pikku\/pikku-bootstrap\.gen\.js/m,
    ],
    [
      '#pikku/* imports in a project that does not map them',
      { 'src/routes.ts': ROUTES.replace("'../.pikku/pikku-types.gen.js'", "'#pikku/queue'") },
      /^src\/routes\.ts:1:33 '#pikku\/queue' does not resolve: map #pikku\/\* onto the generated folder, in package\.json "imports": \{ "#pikku\/\*\.js": "\.\/dist\/\.pikku\/\*\.js", "#pikku\/\*": "\.\/dist\/\.pikku\/\*\/index\.js" \}.*tsconfig\.json "compilerOptions": \{ "paths": \{ "#pikku\/\*": \["\.\/\.pikku\/\*"\] \} \}/m,
    ],
    [
      'a relative import of a file that does not exist',
      { 'src/routes.ts': ROUTES.replace("'./functions.js'", "'./function.js'") },
      /^src\/routes\.ts:2:22 '\.\/function\.js' does not resolve to a file: anything this file imports through it is invisible to codegen/m,
    ],
    [
      'a subpath @pikku/core 0.12.84 does not export',
      { 'src/types.ts': `import type { CoreConfig } from '@pikku/core/types'\nexport interface Config extends CoreConfig {\n  region: string\n}\n` },
      /^src\/types\.ts:1:33 @pikku\/core 0\.12\.84 does not export '@pikku\/core\/types': import CoreConfig, CoreSingletonServices, CoreServices and CoreUserSession from '@pikku\/core'/m,
    ],
    [
      'tag middleware registered in a function nothing calls',
      { 'src/hooks.ts': `import { addTagMiddleware } from '../.pikku/pikku-types.gen.js'\nexport function register(tag: string) {\n  addTagMiddleware(tag, [])\n}\n` },
      /^src\/hooks\.ts:3:3 addTagMiddleware\(\.\.\.\) is inside a function nothing calls at start-up, so it would never run: call it at the top level of the file, or in an exported factory that takes no arguments/m,
    ],
    [
      'a hook factory that is not exported',
      { 'src/hooks.ts': `import { addTagPermission } from '../.pikku/pikku-types.gen.js'\nconst hooks = () => addTagPermission('audit', {})\nvoid hooks\n` },
      /^src\/hooks\.ts:2:21 addTagPermission\(\.\.\.\) is inside a function nothing calls at start-up/m,
    ],
    [
      'application types in a folder codegen does not read',
      { 'types/application-types.d.ts': `import type { CoreConfig } from '@pikku/core'\nexport interface Config extends CoreConfig {\n  region: string\n}\n` },
      /^types\/application-types\.d\.ts:1:1 this file looks like the project's application types, but codegen does not read it: add "types" to "srcDirectories" in pikku\.config\.json \(e\.g\. \["src", "types"\]\)/m,
    ],
    [
      'a wiring imported from another Pikku adapter',
      { 'src/routes.ts': ROUTES.replace("'../.pikku/pikku-types.gen.js'", "'@pikku/queue-bullmq'") },
      /^src\/routes\.ts:1:10 wireQueueWorker is imported from '@pikku\/queue-bullmq', where codegen does not read it, so what it declares would not run: import \{ wireQueueWorker \} from '#pikku\/queue'/m,
    ],
    [
      'a generated file imported without its extension',
      { 'src/routes.ts': ROUTES.replace("'../.pikku/pikku-types.gen.js'", "'#pikku/pikku-types.gen'") },
      /^src\/routes\.ts:1:33 '#pikku\/pikku-types\.gen' names a generated file without its extension: write '#pikku\/pikku-types\.gen\.js'/m,
    ],
    [
      'a workflow step whose function is not a literal',
      { 'src/flow.ts': workflow("const name: string = 'echo'\n  return (await workflow.do('Echo', name, data)).text") },
      /^src\/flow\.ts:4:37 the function a workflow step runs must be known when codegen runs: a string literal naming a function or workflow of the project \(workflow\.do\('Reserve stock', 'reserveStock', data\)\), not a value of type string/m,
    ],
    [
      'a workflow step that names no function of the project',
      { 'src/flow.ts': workflow("return (await workflow.do('Echo', 'ecko', data)).text") },
      /^src\/flow\.ts:3:37 workflow step 'Echo' runs 'ecko', which is not a function or workflow of the project: did you mean 'echo'\?/m,
    ],
    [
      'workflow.suspend, which this runtime cannot resume',
      { 'src/flow.ts': workflow("await workflow.suspend('Wait for approval')\n  return data.text") },
      /^src\/flow\.ts:3:9 workflow\.suspend\(\.\.\.\) is not supported by pikku-bullmq yet: nothing in this runtime resumes a suspended run\. Model the wait as a step that polls/m,
    ],
    [
      'workflow.approval, which this runtime cannot record',
      { 'src/flow.ts': workflow("await workflow.approval('Sign-off', {})\n  return data.text") },
      /^src\/flow\.ts:3:9 workflow\.approval\(\.\.\.\) is not supported by pikku-bullmq yet: this runtime has no way to record a decision\. Model the approval as a step that polls for it/m,
    ],
    [
      "a scenario's expect step",
      { 'src/flow.ts': workflow("await workflow.expectEventually('Sent', 'echo', data, () => true)\n  return data.text") },
      /^src\/flow\.ts:3:9 workflow\.expectEventually\(\.\.\.\) is not supported by pikku-bullmq yet: it is a scenario assertion/m,
    ],
    [
      'pikkuWorkflowGraph',
      { 'src/graph.ts': "import { pikkuWorkflowGraph } from '@pikku/core/workflow'\nexport const graph = pikkuWorkflowGraph({ nodes: {} } as never)\n" },
      /^src\/graph\.ts:2:22 pikkuWorkflowGraph\(\.\.\.\) is not supported by pikku-bullmq yet: write the workflow as pikkuWorkflowFunc \(from '#pikku\/workflow'\)/m,
    ],
    [
      'a workflow that is not exported',
      { 'src/flow.ts': `${workflow('return data.text', { exported: false })}void flow\n` },
      /^src\/flow\.ts:2:7 workflow flow must be exported, so the generated wirings can register it: export const flow = \.\.\./m,
    ],
    [
      'a workflow declared where it has no name',
      { 'src/flow.ts': "import { pikkuWorkflowFunc } from '../.pikku/pikku-types.gen.js'\nexport default pikkuWorkflowFunc(async () => 1)\n" },
      /^src\/flow\.ts:2:16 pikkuWorkflowFunc\(\.\.\.\) must be the value of an exported top-level const \(export const orderWorkflow = pikkuWorkflowFunc\(\.\.\.\)\): its name is the workflow's name/m,
    ],
    [
      'a step function that is not exported',
      {
        'src/flow.ts': `${workflow("return (await workflow.do('Shout', 'shout', data)).text")}const shout = pikkuSessionlessFunc<{ text: string }, { text: string }>(async (_s, { text }) => ({ text }))\nvoid shout\n`.replace(
          'import { pikkuWorkflowFunc }',
          'import { pikkuSessionlessFunc, pikkuWorkflowFunc }',
        ),
      },
      /^src\/flow\.ts:5:7 shout runs as a workflow step \(src\/flow\.ts:3:38\), so the generated wirings register it: export it \(export const shout = \.\.\.\)/m,
    ],
    [
      'a workflow wired as a queue worker',
      { 'src/flow.ts': workflow('return data.text'), 'src/routes.ts': `${ROUTES}import { flow } from './flow.js'\nwireQueueWorker({ name: 'flow', func: flow })\n` },
      /^src\/routes\.ts:5:39 queue "flow": flow is a workflow, which runs on its own queues and is not wired: start it with services\.workflows\.start\('flow', input\)/m,
    ],
    [
      'two workflows whose queue names are the same',
      { 'src/flow.ts': `${workflow('return data.text', { name: 'sendHTMLEmail' })}${workflow('return data.text', { name: 'sendHtmlemail' }).split('\n').slice(1).join('\n')}` },
      /^src\/flow\.ts:5:14 core runs workflow sendHtmlemail on queue "wf-orchestrator-send-htmlemail", as it does workflow sendHTMLEmail \(src\/flow\.ts:2:14\): core derives both names the same way \(kebab-case of the id\), so rename one/m,
    ],
    [
      'a workflowQueued function whose step queue is wired by hand',
      {
        'src/functions.ts': FUNCTIONS.replace('(async (_s, data) => data)', '({ workflowQueued: true, func: async (_s, data) => data })'),
        'src/routes.ts': `${ROUTES}wireQueueWorker({ name: 'wf-step-echo', func: echo })\n`,
      },
      /^src\/functions\.ts:2:14 queue "wf-step-echo" is wired in src\/routes\.ts, and core runs the workflowQueued steps of echo on a queue of that name: rename the wired queue/m,
    ],
    [
      'a workflowQueued that is not a literal',
      { 'src/functions.ts': FUNCTIONS.replace('(async (_s, data) => data)', '({ workflowQueued: Math.random() > 0.5, func: async (_s, data) => data })') },
      /^src\/functions\.ts:2:\d+ workflowQueued must be known when codegen runs: true or false, not a value of type boolean/m,
    ],
    [
      'a workflow step that runs a function needing a session',
      {
        'src/flow.ts': workflow("return workflow.do('Shout', 'whoami', data).then((r) => r.text)"),
        'src/functions.ts': `${FUNCTIONS}import { pikkuFunc } from '../.pikku/pikku-types.gen.js'\nexport const whoami = pikkuFunc<{ text: string }, { text: string }>(async (_s, data) => data)\n`,
      },
      /^src\/flow\.ts:3:\d+ workflow step 'Shout' runs 'whoami', declared with pikkuFunc, which needs a session: workflow steps run without one/m,
    ],
    [
      'workflowQueued on a workflow',
      { 'src/flow.ts': "import { pikkuWorkflowFunc } from '../.pikku/pikku-types.gen.js'\nexport const flow = pikkuWorkflowFunc<{ text: string }, string>({\n  workflowQueued: true,\n  func: async (_services, data) => data.text,\n})\n" },
      /^src\/flow\.ts:3:3 workflowQueued does not apply to a workflow/m,
    ],
    [
      'an onError compensation that names no function',
      { 'src/flow.ts': workflow("return workflow.do('Shout', 'echo', data, { onError: 'undoEcho' }).then((r) => r.text)"), 'src/functions.ts': FUNCTIONS },
      /^src\/flow\.ts:3:47 onError names 'undoEcho', which is not a function or workflow of the project/m,
    ],
    [
      'an onError compensation on an inline step',
      { 'src/flow.ts': workflow("return workflow.do('Shout', async () => data.text, { onError: 'echo' })"), 'src/functions.ts': FUNCTIONS },
      /^src\/flow\.ts:3:56 onError is ignored on an inline step by @pikku\/core 0\.12\.84 \(only a step that runs a function gets compensation\)/m,
    ],
    [
      'an onError that is not a literal',
      { 'src/flow.ts': workflow("const undo: string = 'echo'\n  return workflow.do('Shout', 'echo', data, { onError: undo }).then((r) => r.text)"), 'src/functions.ts': FUNCTIONS },
      /^src\/flow\.ts:4:\d+ onError must be known when codegen runs: a string literal naming a function of the project/m,
    ],
    [
      'a workflow definer imported from core',
      { 'src/flow.ts': workflow('return data.text').replace("'../.pikku/pikku-types.gen.js'", "'@pikku/core/workflow'") },
      /^src\/flow\.ts:1:10 pikkuWorkflowFunc is imported from '@pikku\/core\/workflow', where codegen does not read it, so what it declares would not run: import \{ pikkuWorkflowFunc \} from '#pikku\/workflow'/m,
    ],
    [
      'a syntax error',
      { 'src/functions.ts': `${FUNCTIONS}export const broken = (\n`, 'src/routes.ts': ROUTES },
      /^src\/functions\.ts:4:1 /m,
    ],
  ]
  for (const [name, files, expected] of mistakes) {
    test(`reports ${name} as file:line:col, exits 1 and keeps the previous .pikku/ whole`, () => {
      const root = copyOfGenerated()
      const before = snapshot(join(root, '.pikku'))
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true })
        writeFileSync(join(root, path), content)
      }

      const run = pikku(root)
      assert.equal(run.status, 1)
      assert.match(run.stderr, expected)
      assert.match(run.stderr, /nothing was written/)
      assert.deepEqual(snapshot(join(root, '.pikku')), before)
    })
  }

  test("core's own wireQueueWorker is read as a wiring too, not skipped, with a warning that says what to import", () => {
    const root = copyOfGenerated()
    writeFileSync(join(root, 'src', 'core-routes.ts'), ROUTES.replace("'../.pikku/pikku-types.gen.js'", "'@pikku/core/queue'").replace("name: 'echo'", "name: 'echo-core'"))
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /^src\/core-routes\.ts:3:1 warning: wireQueueWorker imported from @pikku\/core runs, but it is core's untyped form: .*import \{ wireQueueWorker \} from '#pikku\/queue'$/m)
    assert.match(readFileSync(join(root, '.pikku', 'queue', 'pikku-queue-workers-wirings-meta.gen.ts'), 'utf8'), /"echo-core": \{\s+"pikkuFuncId": "echo"/)
    assert.match(readFileSync(join(root, '.pikku', 'queue', 'pikku-queue-workers-wirings.gen.ts'), 'utf8'), /import '\.\.\/\.\.\/src\/core-routes\.js'/)
  })

  test("a workflow whose func is given by name is read through it: its steps are checked, and its hash follows the function's body", () => {
    const root = copyOfGenerated()
    const source = (step: string) => `import { pikkuWorkflowFunc, type TypedWorkflow } from '../.pikku/pikku-types.gen.js'
async function shoutFlow(_services: unknown, data: { text: string }, { workflow }: { workflow: TypedWorkflow }): Promise<string> {
  const { text } = await workflow.do('${step}', 'echo', data)
  return text
}
export const flow = pikkuWorkflowFunc<{ text: string }, string>({ func: shoutFlow })
`
    const meta = () => readFileSync(join(root, '.pikku', 'workflow', 'pikku-workflows-meta.gen.ts'), 'utf8')
    writeFileSync(join(root, 'src', 'flow.ts'), source('Shout'))
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    const first = meta()
    writeFileSync(join(root, 'src', 'flow.ts'), source('Yell'))
    assert.equal(pikku(root).status, 0)
    assert.notEqual(/"graphHash": "(\w+)"/.exec(meta())![1], /"graphHash": "(\w+)"/.exec(first)![1])
    writeFileSync(join(root, 'src', 'flow.ts'), source('Yell').replace("'echo'", "'ecko'"))
    assert.match(pikku(root).stderr, /^src\/flow\.ts:3:\d+ workflow step 'Yell' runs 'ecko', which is not a function or workflow of the project: did you mean 'echo'\?/m)
  })

  test('config options that do nothing in a worker project are warnings that say what to write instead; expose reaches the meta', () => {
    const root = copyOfGenerated()
    const options = ['workflowRetries: 3', "workflowTimeout: '30s'", 'remote: true', 'mcp: true', "deploy: 'server'", 'approvalRequired: true', "override: 'echoer'", 'version: 2', 'skip: "later"', 'expose: true']
    writeFileSync(join(root, 'src', 'functions.ts'), FUNCTIONS.replace('(async (_s, data) => data)', `({\n${options.map((option) => `  ${option},\n`).join('')}  func: async (_s, data) => data,\n})`))
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    const warned = (line: number, text: string) => assert.match(run.stderr, new RegExp(`^src/functions\\.ts:${line}:3 warning: ${text}`, 'm'))
    warned(3, "workflowRetries has no effect here: @pikku/core 0\\.12\\.84 reads it nowhere; give the retries where the step runs: workflow\\.do\\('Step', 'myFunction', data, \\{ retries: 3, retryDelay: '1s' \\}\\)$")
    warned(4, 'workflowTimeout has no effect here: @pikku/core 0\\.12\\.84 reads it nowhere, so a step is never timed out: bound the work inside the function')
    warned(5, "remote has no effect here: this project has no deployment service .*wire\\.rpc\\.invoke\\('echo', data\\)")
    warned(6, 'mcp has no effect here: this project runs no MCP server')
    warned(8, 'approvalRequired has no effect here: it gates calls made by AI agents')
    warned(9, "override has no effect here: a function's id here is its const's name \\('echo'\\): rename the const")
    warned(11, 'skip has no effect here: it applies to Pikku scenarios, not to functions')
    // deploy and version hold here (one server, one version): no warning.
    assert.equal(run.stderr.match(/warning/g)?.length, 7, run.stderr)
    assert.match(readFileSync(join(root, '.pikku', 'function', 'pikku-functions-meta.gen.ts'), 'utf8'), /"echo": \{[^}]*"expose": true/)
  })

  test('hook factories are called once by the bootstrap, however often and from wherever they are re-exported', () => {
    const root = project({
      'src/functions.ts': FUNCTIONS,
      'src/routes.ts': `${ROUTES}export { auditTag } from './hooks.js'\n`,
      'src/hooks.ts': [
        "import { addTagMiddleware, addTagPermission, pikkuMiddleware } from '../.pikku/pikku-types.gen.js'",
        'const noop = pikkuMiddleware(async (_services, _wire, next) => next())',
        "export const auditTag = () => addTagMiddleware('audit', [noop])",
        "export function auditPermissions() {\n  addTagPermission('audit', {})\n}",
        "export default () => addTagMiddleware('default', [noop])",
        '',
      ].join('\n'),
      'src/more-routes.ts': "export { auditTag } from './hooks.js'\nexport { libTag } from '../lib/tags.js'\n",
      // Outside the source directories, reached through a re-export.
      'lib/tags.ts': "import { addTagMiddleware } from '../.pikku/pikku-types.gen.js'\nexport const libTag = () => addTagMiddleware('lib', [])\n",
    })
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    assert.equal(
      readFileSync(join(root, '.pikku', 'middleware', 'pikku-hook-factories.gen.ts'), 'utf8').split('\n').slice(1).join('\n'),
      [
        "import { auditTag as hook0 } from '../../src/hooks.js'",
        "import { auditPermissions as hook1 } from '../../src/hooks.js'",
        "import hook2 from '../../src/hooks.js'",
        "import { libTag as hook3 } from '../../lib/tags.js'",
        'hook0()',
        'hook1()',
        'hook2()',
        'hook3()',
        'export {}',
        '',
      ].join('\n'),
    )
  })

  test('application types in a .d.ts file under a source directory are used, as Pikku keeps them in types/', () => {
    const { root, remove } = copyProject({
      'pikku.config.json': JSON.stringify({ srcDirectories: ['src', 'types'], outDir: '.pikku' }),
      'types/application-types.d.ts': `import type { CoreConfig, CoreSingletonServices } from '@pikku/core'\nexport interface Config extends CoreConfig {\n  region: string\n}\nexport interface SingletonServices extends CoreSingletonServices<Config> {\n  greeting: string\n}\n`,
      'src/functions.ts': `import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'\nexport const greet = pikkuSessionlessFunc<{ name: string }, string>(async ({ config, greeting }, { name }) => \`\${greeting}, \${name} from \${config.region}\`)\n`,
    })
    removers.push(remove)
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    const types = readFileSync(join(root, '.pikku', 'pikku-types.gen.ts'), 'utf8')
    assert.match(types, /import type \{ Config, SingletonServices \} from '\.\.\/types\/application-types\.js'/)
    assert.equal(typeCheck(root), '')
  })

  test('a wiring renamed since the last run stops the process with a reason, instead of core skipping it', () => {
    const root = copyOfGenerated()
    writeFileSync(join(root, 'src', 'routes.ts'), ROUTES.replace("name: 'echo'", "name: 'echo-renamed'"))
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "await import('./.pikku/pikku-bootstrap.gen.ts')"], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.notEqual(run.status, 0)
    assert.match(run.stderr, /Queue "echo-renamed" is wired but missing from the generated meta: \.pikku\/ is out of date\. Run `npx pikku`/)
    assert.doesNotMatch(run.stderr, /Consider moving this wiring/)
  })

  test('unknown arguments, and a command without --watch, are refused with the usage', () => {
    const root = copyOfGenerated()
    for (const args of [['--wacth'], ['--', 'tsx', 'src/start.ts']]) {
      const run = pikku(root, args)
      assert.equal(run.status, 1)
      assert.match(run.stderr, /Usage: pikku \[--watch \[-- <command> \[args\.\.\.\]\]\]/)
    }
  })

  test('a missing pikku.config.json is a clear error', () => {
    const root = mkdtempSync(join(tmpdir(), 'pikku-codegen-'))
    removers.push(() => rmSync(root, { recursive: true, force: true }))
    const run = pikku(root)
    assert.equal(run.status, 1)
    assert.match(run.stderr, /pikku\.config\.json:1:1 pikku\.config\.json not found\. Run pikku from the project root/)
    assert.equal(existsSync(join(root, '.pikku')), false)
  })
})

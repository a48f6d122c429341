// A project as `create-pikku --yes` makes it (vendored companions, npm install, codegen), plus the
// files a benchmark or a fault scenario adds, compiled with the project's own `npm run build`. Its
// compiled server with the template's defaults is what a user deploys.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './clean-env.js'

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)))

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, env: cleanEnv({ CI: 'true' }), encoding: 'utf8', timeout: 600_000 })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}${result.stderr}`)
}

/**
 * Scaffolds and installs a project into a new temporary folder, writes `files` into it (paths
 * relative to the project), then builds it; returns the project folder.
 */
export function createBuiltProject(label: string, files: Record<string, string>): string {
  const workspace = mkdtempSync(path.join(tmpdir(), `${label}-project-`))
  run(process.execPath, [path.join(REPO, 'bin', 'create-pikku.js'), 'app', '--yes'], workspace)
  const app = path.join(workspace, 'app')
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(app, file), content)
  run('npm', ['run', 'build'], app)
  return app
}

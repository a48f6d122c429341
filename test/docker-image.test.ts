// Builds the generated project's Docker image where a Docker engine answers (CI); skips with the
// reason where none does. Then checks what the image runs and as whom.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './support/clean-env.js'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')

function docker(args: string[], timeout = 60_000) {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout })
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` }
}

test('the generated Dockerfile builds an image that runs the compiled server as node, with a health check', { timeout: 900_000 }, (t) => {
  const engine = docker(['info', '--format', '{{.ServerVersion}}'], 20_000)
  if (engine.status !== 0) {
    t.skip(`no Docker engine answers here (docker info: ${engine.output.trim().split('\n')[0] || 'no output'}); the image build runs where Docker is available`)
    return
  }
  const workspace = mkdtempSync(join(tmpdir(), 'create-pikku-docker-'))
  const image = `create-pikku-image-test-${process.pid}`
  try {
    const scaffold = spawnSync(process.execPath, [join(REPO, 'bin', 'create-pikku.js'), 'app', '--yes', '--no-install'], {
      cwd: workspace,
      env: cleanEnv({ CI: 'true' }),
      encoding: 'utf8',
    })
    assert.equal(scaffold.status, 0, `${scaffold.stdout}${scaffold.stderr}`)
    const build = docker(['build', '-t', image, join(workspace, 'app')], 840_000)
    assert.equal(build.status, 0, build.output)

    assert.equal(docker(['run', '--rm', '--entrypoint', 'id', image, '-un']).output.trim(), 'node')
    const config = JSON.parse(docker(['image', 'inspect', image, '--format', '{{json .Config}}']).output) as {
      Cmd: string[]
      Healthcheck?: { Test: string[] }
    }
    assert.deepEqual(config.Cmd, ['node', 'dist/src/start.js'])
    assert.match(config.Healthcheck?.Test.join(' ') ?? '', /\/healthz/)
    // Compiled output and production dependencies only: no codegen, no tsx, no sources.
    // (typescript itself stays: a production dependency, valibot, names it as a peer.)
    const listing = docker(['run', '--rm', '--entrypoint', 'sh', image, '-c', 'ls dist/src/start.js dist/.pikku; ls node_modules; ls src 2>&1 || true'])
    assert.match(listing.output, /dist\/src\/start\.js/)
    assert.match(listing.output, /pikku-bullmq/)
    assert.doesNotMatch(listing.output, /^pikku-codegen$|^tsx$/m)
    assert.match(listing.output, /ls: cannot access 'src'/)
  } finally {
    docker(['image', 'rm', '-f', image])
    rmSync(workspace, { recursive: true, force: true })
  }
})

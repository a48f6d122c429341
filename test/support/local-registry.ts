import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { installCachedTool } from './cached-tool.js'
import { cleanEnv } from './clean-env.js'
import { findFreePort } from './free-port.js'

export interface LocalRegistry {
  url: string
  /** npm settings that point at this registry and authenticate to it, for `npm publish` and users' commands. */
  npmEnv: NodeJS.ProcessEnv
  stop(): Promise<void>
}

/**
 * Starts Verdaccio on 127.0.0.1 with fresh storage: our packages (create-pikku, pikku-*) are served
 * only from what is published to it, everything else is proxied to the registry npm is set to.
 */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  // 6.10 needs Node 22; 6.8.0 runs on Node 20 once node-fetch is held at 2.7.0.
  const bin = installCachedTool('verdaccio-6.8.0', { dependencies: { verdaccio: '6.8.0' }, overrides: { 'node-fetch': '2.7.0' } })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'create-pikku-registry-'))
  const port = await findFreePort()
  const url = `http://127.0.0.1:${port}/`
  await fs.writeFile(path.join(dir, 'config.yaml'), verdaccioConfig(dir, upstreamRegistry()))

  const child = spawn(path.join(bin, 'verdaccio'), ['--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let log = ''
  child.stdout!.on('data', (chunk) => (log += chunk))
  child.stderr!.on('data', (chunk) => (log += chunk))
  const stop = async (): Promise<void> => {
    await killGroup(child)
    await fs.rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForPing(url, child, () => log)
    const token = await createUser(url)
    const npmrc = path.join(dir, 'npmrc')
    await fs.writeFile(npmrc, `//127.0.0.1:${port}/:_authToken=${token}\n`)
    return { url, npmEnv: { npm_config_registry: url, npm_config_userconfig: npmrc }, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function verdaccioConfig(dir: string, upstream: string): string {
  return [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(upstream)}`,
    'packages:',
    // Ours: never proxied, so a test only ever installs what it published.
    ...['create-pikku', 'pikku-*'].flatMap((name) => [`  '${name}':`, '    access: $all', '    publish: $authenticated']),
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n')
}

/** Whatever registry this machine's npm uses, so nothing is hard-coded. */
function upstreamRegistry(): string {
  const configured = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', env: cleanEnv() }).stdout?.trim()
  return configured || 'https://registry.npmjs.org/'
}

async function waitForPing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited with ${child.exitCode}:\n${log()}`)
    const ok = await fetch(new URL('-/ping', url)).then((response) => response.ok, () => false)
    if (ok) return
    if (Date.now() > deadline) throw new Error(`Verdaccio did not answer within 30 s:\n${log()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Verdaccio's CouchDB-style sign-up returns a token, so no `npm login` prompt is needed. */
async function createUser(url: string): Promise<string> {
  const response = await fetch(new URL('-/user/org.couchdb.user:create-pikku-tests', url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'create-pikku-tests', password: 'not-a-secret-1' }),
  })
  const body = (await response.json()) as { token?: string }
  if (!response.ok || !body.token) throw new Error(`Creating a Verdaccio user failed: ${response.status} ${JSON.stringify(body)}`)
  return body.token
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-child.pid!, 'SIGTERM')
  const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

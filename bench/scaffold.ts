// How long does scaffolding take, as a user runs it? The whole `create-pikku --no-install` process
// against create-vite's `vanilla-ts` copy, alternating in one run so machine noise hits both alike.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { installCachedTool } from '../test/support/cached-tool.js'
import { cleanEnv } from '../test/support/clean-env.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const REPO = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const ROUNDS = Number(process.env.BENCH_SCAFFOLD_ROUNDS ?? 15)
const CREATE_VITE = '9.3.0'

function timeProcess(args: string[], cwd: string): number {
  const started = performance.now()
  const result = spawnSync(process.execPath, args, { cwd, env: cleanEnv({ CI: 'true' }), encoding: 'utf8' })
  const elapsed = performance.now() - started
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stdout}${result.stderr}`)
  return elapsed
}

export async function benchScaffold(): Promise<BenchSection> {
  const viteBin = path.join(installCachedTool(`create-vite-${CREATE_VITE}`, { dependencies: { 'create-vite': CREATE_VITE } }), '..', 'create-vite', 'index.js')
  const pikkuBin = path.join(REPO, 'bin', 'create-pikku.js')
  const workspace = mkdtempSync(path.join(tmpdir(), 'bench-scaffold-'))
  const pikku: number[] = []
  const vite: number[] = []
  const ratios: number[] = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const runPikku = () => pikku.push(timeProcess([pikkuBin, `pikku-${round}`, '--yes', '--no-install'], workspace))
      const runVite = () => vite.push(timeProcess([viteBin, `vite-${round}`, '--template', 'vanilla-ts', '--no-interactive', '--no-immediate'], workspace))
      // Alternate which goes first so warm-up and drift do not favour one side.
      if (round % 2) (runVite(), runPikku())
      else (runPikku(), runVite())
      ratios.push(pikku.at(-1)! / vite.at(-1)!)
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true })
  }
  const ratio = summarize(ratios)
  console.log(`scaffold: create-pikku ${formatRounds(summarize(pikku))} ms, create-vite ${formatRounds(summarize(vite))} ms, ratio ${formatRounds(ratio, 2)}`)
  return {
    title: 'Scaffolding: create-pikku against create-vite',
    markdown: `The whole process, as a user runs it: \`node bin/create-pikku.js app --yes --no-install\` (the default
vendored mode: the template plus the two companion tarballs copied into \`vendor/\`) against create-vite
${CREATE_VITE}'s \`vanilla-ts\` (\`--no-interactive --no-immediate\`), alternating, ${ROUNDS} rounds each. Goal: within 2×.

| | median ms (min–max) |
| --- | --- |
| create-vite vanilla-ts (baseline) | ${formatRounds(summarize(vite))} |
| create-pikku --no-install | ${formatRounds(summarize(pikku))} |
| **ratio** (per round, create-pikku / create-vite) | **${formatRounds(ratio, 2)}** |
`,
  }
}

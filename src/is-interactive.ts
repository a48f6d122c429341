export interface Terminal {
  stdinIsTTY: boolean
  stdoutIsTTY: boolean
  env: NodeJS.ProcessEnv
}

/** Ask questions only when a person can answer them: a terminal on both ends, no --yes, not CI. */
export function isInteractive(yes: boolean, { stdinIsTTY, stdoutIsTTY, env }: Terminal): boolean {
  const ci = env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase())
  return stdinIsTTY && stdoutIsTTY && !yes && !ci
}

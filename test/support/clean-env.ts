/**
 * This process's environment without what `npm test` and `node --test` put in it: npm's own
 * `npm_*` settings would leak into the npm commands a test runs as a user would, and
 * NODE_TEST_CONTEXT would make a project's own `node --test` skip its files.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_TEST_CONTEXT' && key !== 'INIT_CWD') env[key] = value
  }
  return { ...env, ...extra }
}

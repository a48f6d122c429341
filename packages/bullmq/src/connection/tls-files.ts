import { readFileSync } from 'node:fs'

/**
 * Files a TLS connection (`rediss://`, `rediss+sentinel://`, `rediss+cluster://`) reads from the
 * environment: the CA that signed a private Redis's certificate, and a client certificate and key
 * for a Redis that asks for one (`tls-auth-clients`). Node's own trust store is used when no CA is given.
 */
export const TLS_FILE_VARIABLES = {
  REDIS_TLS_CA_FILE: 'ca',
  REDIS_TLS_CERT_FILE: 'cert',
  REDIS_TLS_KEY_FILE: 'key',
} as const

export type TlsFiles = Partial<Record<'ca' | 'cert' | 'key', Buffer>>

/** The files {@link TLS_FILE_VARIABLES} name, read now so a wrong path fails at start-up; undefined when none is set. */
export function readTlsFiles(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const files: TlsFiles = {}
  for (const [variable, option] of Object.entries(TLS_FILE_VARIABLES)) {
    const path = env[variable]
    if (!path) continue
    try {
      files[option] = readFileSync(path)
    } catch (error) {
      throw new Error(`${variable}=${path} cannot be read: ${(error as Error).message}`)
    }
  }
  if (Boolean(files.cert) !== Boolean(files.key)) throw new Error('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both (a client certificate and its key), or neither')
  return Object.keys(files).length > 0 ? files : undefined
}

/** The variables of {@link TLS_FILE_VARIABLES} that are set, for messages. */
export function tlsVariablesSet(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(TLS_FILE_VARIABLES).filter((name) => env[name])
}

import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { RequestHandler } from 'express'

export interface DashboardCredentials {
  username: string
  password: string
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

// Hashing first gives equal lengths, which timingSafeEqual needs, without leaking the length.
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/** HTTP Basic auth: 401 with a login prompt unless the request carries the credentials. */
export function requireBasicAuth({ username, password }: DashboardCredentials): RequestHandler {
  return (req, res, next) => {
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ')
    if (scheme?.toLowerCase() === 'basic' && encoded) {
      const decoded = Buffer.from(encoded, 'base64').toString('utf8')
      const separator = decoded.indexOf(':')
      // Both compared every time, so the reply takes as long whichever part is wrong.
      const userOk = sameSecret(decoded.slice(0, separator), username)
      const passwordOk = sameSecret(decoded.slice(separator + 1), password)
      if (separator >= 0 && userOk && passwordOk) return next()
    }
    res.set('WWW-Authenticate', 'Basic realm="queues", charset="UTF-8"').status(401).json({ error: 'Authentication required' })
  }
}

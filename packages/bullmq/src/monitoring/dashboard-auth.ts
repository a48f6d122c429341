import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { RequestHandler } from 'express'
import { rateLimit } from 'express-rate-limit'

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

/** Failed logins one client may make per window before it must wait. */
export const MAX_FAILED_LOGINS = 10
const FAILED_LOGIN_WINDOW_MS = 60_000

/**
 * Answers 429 (with Retry-After) to a client that failed to log in MAX_FAILED_LOGINS times within a
 * minute, so a password cannot be guessed at thousands of tries a second. Only 401s count.
 */
export function limitFailedLogins(): RequestHandler {
  return rateLimit({
    windowMs: FAILED_LOGIN_WINDOW_MS,
    limit: MAX_FAILED_LOGINS,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    message: { error: `Too many failed logins: wait a minute before trying again` },
  })
}

/** The shortest dashboard password accepted when the server listens beyond loopback. */
export const MIN_REMOTE_PASSWORD_LENGTH = 12

/** Why this password is too weak for a dashboard other machines can reach, or undefined. */
export function weakPasswordReason(password: string): string | undefined {
  if (password.length < MIN_REMOTE_PASSWORD_LENGTH) return `it has ${password.length} characters, and at least ${MIN_REMOTE_PASSWORD_LENGTH} are needed`
  if (new Set(password).size < 5) return 'it repeats too few characters'
  return undefined
}

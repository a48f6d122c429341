import { hostname, networkInterfaces } from 'node:os'
import type { RequestHandler } from 'express'

/**
 * The host names a browser may use to reach the dashboard: loopback, this machine's name and
 * addresses, the interface the server listens on, and what the allow list adds (a DNS name in front
 * of the server, a load balancer's). Compared without the port, case-insensitively.
 */
export function ownHostNames(listenHost: string, allowList: readonly string[]): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', hostname(), listenHost])
  for (const addresses of Object.values(networkInterfaces())) {
    for (const { address } of addresses ?? []) names.add(address)
  }
  for (const name of allowList) names.add(name)
  return new Set([...names].filter((name) => name !== '' && name !== '0.0.0.0' && name !== '::').map((name) => name.toLowerCase()))
}

/** `Host: a.example:3001` → `a.example`; `Host: [::1]:3001` → `::1`. */
function hostNameOf(header: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(header)
  return (bracketed ? bracketed[1]! : header.replace(/:\d+$/, '')).toLowerCase()
}

/**
 * Refuses requests whose Host header names another site: a page on an attacker's domain that
 * resolves to this machine (DNS rebinding) would otherwise read job data through the visitor's
 * browser, and pass the cross-site check for writes, since its Host and Origin agree.
 */
export function requireOwnHost(allowed: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host
    if (host !== undefined && allowed.has(hostNameOf(host))) return next()
    res.status(421).json({
      error: `Host '${host ?? ''}' is not this server's: open the dashboard by this machine's name or address, or add the name to DASHBOARD_ALLOWED_HOSTS (comma-separated)`,
    })
  }
}

import express, { type RequestHandler, type Router } from 'express'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import type { Queue } from 'bullmq'

/** Where the dashboard is mounted. */
export const DASHBOARD_PATH = '/admin/queues'

export interface DashboardRouterOptions {
  queues: Queue[]
  /** Allow retry, remove, promote, clean, pause and the other write actions. */
  writeActions: boolean
  /** Shown in the board's header. */
  title: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses every write through the board's API when write actions are off.
 * Bull Board's per-queue read-only mode does the same for queue actions, but
 * its "pause all" and "resume all" skip read-only queues instead of refusing;
 * one rule here covers every route, present and future.
 */
const refuseWrites: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method)) return next()
  res.status(405).json({
    error: 'The dashboard is read-only: enable write actions (DASHBOARD_WRITE_ACTIONS=true) to retry, remove, promote or clean jobs',
  })
}

/** The host of an Origin header; undefined for 'null' and other non-URLs. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}

/**
 * With write actions on, a write must come from the board's own page:
 * browsers send Basic credentials to any site's requests, so a cross-site
 * request would otherwise act as the logged-in user (CSRF).
 */
const refuseCrossSiteWrites: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method)) return next()
  const site = req.headers['sec-fetch-site']
  const origin = req.headers.origin
  const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && hostOf(origin) !== req.headers.host)
  if (!crossSite) return next()
  res.status(403).json({ error: 'Cross-site write refused: use the dashboard page itself' })
}

/** Bull Board for the given queues, ready to mount at {@link DASHBOARD_PATH}. */
export function createDashboardRouter({ queues, writeActions, title }: DashboardRouterOptions): Router {
  const serverAdapter = new ExpressAdapter()
  serverAdapter.setBasePath(DASHBOARD_PATH)
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: !writeActions })),
    serverAdapter,
    options: { uiConfig: { boardTitle: title } },
  })
  const router = express.Router()
  router.use(writeActions ? refuseCrossSiteWrites : refuseWrites)
  router.use(serverAdapter.getRouter() as Router)
  return router
}

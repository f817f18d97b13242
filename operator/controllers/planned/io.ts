// The planned-switchover controller's I/O behind small interfaces (tested with fakes), and the real
// ones: the edges through the failover controller's edge port (Kamailio JSON-RPC or the edge agent),
// the login services' takeover API with a mode and skill groups, status under a field manager of its own.
import type { RouteState } from '../../../workloads/edge/index.ts'
import { FIELD_MANAGER, Applier } from '../../runtime/apply.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import { realEdge, type EdgeRoutingPort, type StatusWriter } from '../failover/io.ts'
import type { EdgeControl, SiteTargets } from '../failover/targets.ts'
import { progressOf, type PlannedMode, type TakeoverFigures, type WantedTakeover } from './decide.ts'

export interface PlannedTakeoverRequest {
  failedSite: string
  mode: PlannedMode
  skillGroups?: string[]
  /** Idempotency key: asked again (an operator that died before it heard the answer), the same takeover. */
  key: string
}

export interface PlannedLogin {
  /** POST {loginUrl}/v1/takeover; returns the takeover id. */
  start(loginUrl: string, request: PlannedTakeoverRequest): Promise<string>
  /** GET {loginUrl}/v1/takeover/{id}. */
  report(loginUrl: string, id: string): Promise<TakeoverFigures>
}

export interface PlannedIO {
  now(): Date
  edge(control: EdgeControl, timeoutMs: number): EdgeRoutingPort
  login: PlannedLogin
  status: StatusWriter
}

export const PLANNED_FIELD_MANAGER = `${FIELD_MANAGER}-planned`

const EDGE_TIMEOUT_MS = 2000

export interface EdgeResult {
  done: boolean
  /** Edges that changed something this time. */
  changed: number
  failures: string[]
}

/** Whether an edge's destinations of the site are already as wanted ("inactive": disabled by hand, so probes do not revive them). */
const settled = (states: readonly string[], wanted: RouteState) =>
  wanted === 'inactive' ? states.every((s) => s === 'disabled') : states.every((s) => s !== 'disabled')

/** Sets the site's destinations at every edge of these sites; an edge already as wanted, or without the site, is left alone. */
export async function setSiteAtEdges(
  site: string,
  state: RouteState,
  at: readonly SiteTargets[],
  io: Pick<PlannedIO, 'edge'>,
): Promise<EdgeResult> {
  const outcomes = await Promise.all(
    at.flatMap((target) =>
      target.edges.map(async (edge): Promise<{ changed: boolean; failure?: string }> => {
        try {
          const port = io.edge(edge.control, EDGE_TIMEOUT_MS)
          const states = (await port.destinations()).filter((d) => d.site === site).map((d) => d.state)
          if (states.length === 0 || settled(states, state)) return { changed: false }
          await port.setSiteState(site, state)
          return { changed: true }
        } catch (error) {
          return { changed: false, failure: `edge ${target.site}/${edge.name}: ${(error as Error).message}` }
        }
      }),
    ),
  )
  const failures = outcomes.flatMap((o) => (o.failure === undefined ? [] : [o.failure]))
  return { done: failures.length === 0, changed: outcomes.filter((o) => o.changed).length, failures }
}

export function httpPlannedLogin(timeoutMilliseconds = 5000): PlannedLogin {
  const call = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMilliseconds) })
    const body = (await response.json()) as Record<string, unknown>
    if (!response.ok) {
      throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status} ${typeof body.message === 'string' ? body.message : ''}`)
    }
    return body
  }
  return {
    async start(loginUrl, request) {
      const body = await call(`${loginUrl}/v1/takeover`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
      return String(body.id)
    },
    async report(loginUrl, id) {
      const body = await call(`${loginUrl}/v1/takeover/${encodeURIComponent(id)}`)
      return { instructed: Number(body.instructed ?? 0), relogged: Number(body.relogged ?? 0) }
    },
  }
}

export function realPlannedIO(client: KubeClient): PlannedIO {
  const applier = new Applier(client)
  return {
    now: () => new Date(),
    edge: realEdge,
    login: httpPlannedLogin(),
    status: { applyStatus: (type, live, status) => applier.applyStatus(type, live, status, PLANNED_FIELD_MANAGER) },
  }
}

/** A takeover recorded in status: the wanted one and the id its login service answered. */
export type StartedTakeover = WantedTakeover & { id: string }

/**
 * Starts each takeover of `starts` at the login service `loginUrlOf` gives for its `at` site, then reads
 * every takeover's figures. A start that fails is named in `failures` and asked for again at the next
 * reconcile (its key makes that the same takeover); progress is known only once every login service answered.
 */
export async function startAndFollowTakeovers(
  io: Pick<PlannedIO, 'login'>,
  recorded: readonly StartedTakeover[],
  starts: readonly { wanted: WantedTakeover; request: PlannedTakeoverRequest }[],
  loginUrlOf: (at: string) => string | undefined,
): Promise<{ takeovers: StartedTakeover[]; progress?: { agentsInstructed: number; agentsMoved: number }; failures: string[] }> {
  const takeovers = [...recorded]
  const failures: string[] = []
  for (const { wanted, request } of starts) {
    const url = loginUrlOf(wanted.at)
    if (url === undefined) continue
    try {
      takeovers.push({ ...wanted, id: await io.login.start(url, request) })
    } catch (error) {
      failures.push(`login ${wanted.at}: ${(error as Error).message}`)
    }
  }
  const figures = await Promise.all(
    takeovers.map((t) => {
      const url = loginUrlOf(t.at)
      return url === undefined ? Promise.resolve(undefined) : io.login.report(url, t.id).catch(() => undefined)
    }),
  )
  const progress = progressOf(figures)
  return { takeovers, failures, ...(progress === undefined ? {} : { progress }) }
}

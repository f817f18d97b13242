// The failover controller's I/O behind small interfaces, so its decisions are tested with fakes; and
// the real implementations: the probes of operator/failover, Kamailio JSON-RPC or the edge agent, the
// login services' takeover API, the report directory, and status written under a field manager of its own.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EdgeAgentClient, EdgeRouting, KamailioRpc, type EdgeDestination, type RouteState } from '../../../workloads/edge/index.ts'
import { probeEventSocket, probeHttpHealth, probeSipOptions, type ProbeResult } from '../../failover/probes.ts'
import { Applier, FIELD_MANAGER } from '../../runtime/apply.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import type { KubeObject, ResourceType } from '../../runtime/resource.ts'
import { secretValue, type SecretKeyRef } from '../../runtime/secret-value.ts'
import { secretDrillAgents, type DrillAgents } from './drill-agents.ts'
import { realEdgeCalls, type EdgeCallsPort } from './edge-calls.ts'
import type { EdgeControl, SipTarget } from './targets.ts'
import type { TakeoverView } from './takeover-progress.ts'

export interface Probes {
  sip(target: SipTarget, timeoutMs: number): Promise<ProbeResult>
  /** FreeSWITCH's Event Socket: connect, authenticate with the site's password. */
  esl(target: { host: string; port: number }, password: string, timeoutMs: number): Promise<ProbeResult>
  /** GET <baseUrl><path>, /healthz unless told otherwise. */
  http(baseUrl: string, timeoutMs: number, path?: '/healthz' | '/readyz'): Promise<ProbeResult>
}

export interface EdgeRoutingPort {
  destinations(): Promise<EdgeDestination[]>
  setSiteState(site: string, state: RouteState): Promise<unknown>
}

/** A takeover other than a failover's: a failback's drain of the agents homed at the login service's site. */
export interface TakeoverOptions {
  mode: 'drain'
  homeSite: string
  /** Standby connections that (re)connect this long after the start are told too. */
  keepInstructingSeconds: number
}

export interface LoginTakeover {
  /** POST {loginUrl}/v1/takeover with an idempotency key (asked again, the same takeover); returns its id. Mode failover unless options say otherwise. */
  start(loginUrl: string, failedSite: string, key: string, options?: TakeoverOptions): Promise<string>
  /** GET {loginUrl}/v1/takeover/{id}. */
  report(loginUrl: string, id: string): Promise<TakeoverView>
  /** GET {loginUrl}/v1/sessions: how many agents are signed in there now. */
  sessions(loginUrl: string): Promise<number>
}

export interface StatusWriter {
  /** Applies exactly these status keys (the writer's own); returns whether it wrote. */
  applyStatus(type: ResourceType, live: KubeObject & { status?: object }, status: Record<string, unknown>): Promise<boolean>
}

export interface ReportSink {
  /** Writes the JSON report and the SVG chart of a failover; returns where (the report's path). */
  write(id: string, json: string, svg: string): Promise<string>
}

export interface FailoverIO {
  now(): Date
  probes: Probes
  /** The edge's routing API; each call gives up after timeoutMs. */
  edge(control: EdgeControl, timeoutMs: number): EdgeRoutingPort
  login: LoginTakeover
  status: StatusWriter
  reports?: ReportSink
  /** The sites' drill agents (spec.drillAgent); drills that stop processes fail without it. */
  drills?: DrillAgents
  /** An edge's calls in progress per destination site (edge-calls.ts); without it no call is counted, so none is claimed lost. */
  edgeCalls?: (control: EdgeControl, timeoutMs: number) => EdgeCallsPort | undefined
  /** The soft switches' Event Socket password (a Secret's key); without it soft switches get SIP OPTIONS. */
  eslPassword?: (namespace: string, ref: SecretKeyRef) => Promise<string>
}

export const realProbes: Probes = { sip: probeSipOptions, http: probeHttpHealth, esl: probeEventSocket }

const ESL_PASSWORD_TTL_MS = 30_000

/** Reads the Event Socket password from its Secret at most every 30 s per Secret (a probe round runs every second). */
export function cachedEslPasswords(client: KubeClient, now: () => number = Date.now): NonNullable<FailoverIO['eslPassword']> {
  const cache = new Map<string, { value: Promise<string>; until: number }>()
  return (namespace, ref) => {
    const key = `${namespace}/${ref.name}/${ref.key}`
    const cached = cache.get(key)
    if (cached !== undefined && cached.until > now()) return cached.value
    const value = secretValue(client, namespace, ref, "the soft switches' Event Socket")
    cache.set(key, { value, until: now() + ESL_PASSWORD_TTL_MS })
    value.catch(() => cache.delete(key))
    return value
  }
}

export function realEdge(control: EdgeControl, timeoutMilliseconds: number): EdgeRoutingPort {
  return control.kind === 'rpc'
    ? new EdgeRouting({ rpc: new KamailioRpc({ url: control.url, timeoutMilliseconds }) })
    : new EdgeAgentClient(control.url, { timeoutMilliseconds })
}

export function httpLoginTakeover(timeoutMilliseconds = 5000): LoginTakeover {
  const call = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMilliseconds) })
    const body = (await response.json()) as Record<string, unknown>
    if (!response.ok)
      throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status} ${typeof body.message === 'string' ? body.message : ''}`)
    return body
  }
  return {
    async start(loginUrl, failedSite, key, options) {
      const body = await call(`${loginUrl}/v1/takeover`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failedSite, key, ...options }),
      })
      return String(body.id)
    },
    async sessions(loginUrl) {
      const { active } = await call(`${loginUrl}/v1/sessions`)
      if (typeof active !== 'number') throw new Error(`GET ${loginUrl}/v1/sessions: no count in the answer`)
      return active
    },
    async report(loginUrl, id) {
      return (await call(`${loginUrl}/v1/takeover/${encodeURIComponent(id)}`)) as unknown as TakeoverView
    },
  }
}

export function directoryReports(directory: string): ReportSink {
  return {
    async write(id, json, svg) {
      await mkdir(directory, { recursive: true })
      const path = join(directory, `${id}.json`)
      await writeFile(path, json)
      await writeFile(join(directory, `${id}.svg`), svg)
      return path
    },
  }
}

export const FAILOVER_FIELD_MANAGER = `${FIELD_MANAGER}-failover`

/** Status under the failover controller's own field manager, beside the Site controller's keys. */
export function ownStatusWriter(client: KubeClient): StatusWriter {
  const applier = new Applier(client)
  return { applyStatus: (type, live, status) => applier.applyStatus(type, live, status, FAILOVER_FIELD_MANAGER) }
}

/** The operator's real I/O; reports are written only when a report directory is given. */
export function realFailoverIO(client: KubeClient, reportDirectory?: string): FailoverIO {
  return {
    now: () => new Date(),
    probes: realProbes,
    edge: realEdge,
    login: httpLoginTakeover(),
    status: ownStatusWriter(client),
    drills: secretDrillAgents(client),
    edgeCalls: realEdgeCalls,
    eslPassword: cachedEslPasswords(client),
    ...(reportDirectory ? { reports: directoryReports(reportDirectory) } : {}),
  }
}

// Many agents in one process (15,000 is the target): one HeartbeatWheel drives every client, sign-ins
// run a bounded number at a time, and events are counted rather than kept.
import { percentiles, type Percentiles } from '../lib/percentiles.ts'
import { AgentClient, type AgentEvent } from './client.ts'
import type { Credentials } from './http.ts'
import { HeartbeatWheel } from './wheel.ts'

export interface SimulatedAgent {
  credentials: Credentials
  primaryUrl: string
  standbyUrl?: string
  /** The desktop's own address (see AgentClientOptions.localAddress). */
  localAddress?: string
}

export interface SimulatorOptions {
  agents: SimulatedAgent[]
  /** Default 5000. */
  heartbeatIntervalMs?: number
  lossConfirmations?: number
  /** Wheel slots: how many batches one heartbeat interval is split into; default 50. */
  slots?: number
  /** Sign-ins in flight at once; default 100. */
  concurrency?: number
  /** Open the WebSockets after signing in; default true. */
  connect?: boolean
  /** Called for every event of every agent, after it was counted. */
  onEvent?: (client: AgentClient, event: AgentEvent) => void
}

export interface StormResult {
  succeeded: number
  failed: number
  /** Failures by the login service's reason. */
  failures: Record<string, number>
  elapsedMs: number
  perSecond: number
  latencyMs: Percentiles
}

export class AgentSimulator {
  readonly clients: AgentClient[]
  readonly wheel: HeartbeatWheel
  /** Events seen so far, by type (e.g. signed-in, relogin-instruction, site-lost, error). */
  readonly events = new Map<AgentEvent['type'], number>()
  private readonly concurrency: number
  private readonly connect: boolean

  constructor(options: SimulatorOptions) {
    const intervalMs = options.heartbeatIntervalMs ?? 5_000
    this.wheel = new HeartbeatWheel(intervalMs, options.slots ?? 50)
    this.concurrency = options.concurrency ?? 100
    this.connect = options.connect ?? true
    this.clients = options.agents.map((agent) => {
      const client: AgentClient = new AgentClient({
        ...agent,
        heartbeatIntervalMs: intervalMs,
        wheel: this.wheel,
        ...(options.lossConfirmations === undefined ? {} : { lossConfirmations: options.lossConfirmations }),
        onEvent: (event) => {
          this.events.set(event.type, (this.events.get(event.type) ?? 0) + 1)
          options.onEvent?.(client, event)
        },
      })
      return client
    })
  }

  /** Signs every agent in, `concurrency` at a time, and measures each sign-in. */
  async signInAll(): Promise<StormResult> {
    return this.forAll(async (client) => {
      await client.signIn({ connect: this.connect })
    })
  }

  async signOutAll(): Promise<StormResult> {
    return this.forAll((client) => client.signOut())
  }

  /** Agents signed in, by site; how many hold each connection; how many are on a call and how many wait to move after it. */
  census(): {
    signedIn: number
    bySite: Record<string, number>
    primary: number
    standby: number
    onCall: number
    movesPending: number
  } {
    const bySite: Record<string, number> = {}
    let primary = 0
    let standby = 0
    let onCall = 0
    let movesPending = 0
    for (const client of this.clients) {
      const session = client.session
      if (session !== undefined) bySite[session.site] = (bySite[session.site] ?? 0) + 1
      if (client.connections.primary) primary++
      if (client.connections.standby) standby++
      if (client.onCall) onCall++
      if (client.movePendingTo !== undefined) movesPending++
    }
    return { signedIn: Object.values(bySite).reduce((a, b) => a + b, 0), bySite, primary, standby, onCall, movesPending }
  }

  /** Drops every connection without signing out. */
  stop(): void {
    for (const client of this.clients) client.disconnect()
    this.wheel.stop()
  }

  private async forAll(action: (client: AgentClient) => Promise<void>): Promise<StormResult> {
    const latencies: number[] = []
    const failures: Record<string, number> = {}
    let next = 0
    const started = performance.now()
    const worker = async () => {
      for (let index = next++; index < this.clients.length; index = next++) {
        const client = this.clients[index]
        if (client === undefined) continue
        const begun = performance.now()
        try {
          await action(client)
          latencies.push(performance.now() - begun)
        } catch (error) {
          const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'error'
          failures[code] = (failures[code] ?? 0) + 1
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.concurrency, this.clients.length) }, worker))
    const elapsedMs = performance.now() - started
    const failed = Object.values(failures).reduce((a, b) => a + b, 0)
    return {
      succeeded: latencies.length,
      failed,
      failures,
      elapsedMs: Math.round(elapsedMs),
      perSecond: Math.round((latencies.length / elapsedMs) * 1000),
      latencyMs: roundAll(percentiles(latencies)),
    }
  }
}

const roundAll = (figures: Percentiles): Percentiles => ({
  count: figures.count,
  p50: round(figures.p50),
  p95: round(figures.p95),
  p99: round(figures.p99),
  max: round(figures.max),
})
const round = (ms: number) => Math.round(ms * 100) / 100

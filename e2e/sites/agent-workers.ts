// The simulated fleet spread over worker processes (e2e/sites/agent-worker.ts), each running an
// AgentSimulator for a slice of the agents. One process cannot hold 15,000 agents: each needs a primary
// and a standby connection, and a process may open at most `ulimit -n` (20,000 here, soft = hard)
// files. The workers report every sign-in's time and, a few times a second, their census and event
// counts; census() adds up the latest ones (at most a fraction of a second old).
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { AgentEvent } from '../../workloads/agent/client.ts'
import type { SimulatedAgent, StormResult } from '../../workloads/agent/simulator.ts'
import { percentiles, type Percentiles } from '../../workloads/lib/percentiles.ts'
import type { Census, FromWorker, WorkerStart } from './agent-worker-protocol.ts'
import { killOnExit } from './processes.ts'

export type { Census } from './agent-worker-protocol.ts'

const WORKER = fileURLToPath(new URL('./agent-worker.ts', import.meta.url))
const READY_TIMEOUT_MS = 30_000

/** What the fleet's users read from the simulated agents, wherever they run. */
export interface FleetSimulator {
  /** Agents signed in, by site, and how many hold each connection. */
  census(): Census
  /** Events seen so far, by type (e.g. signed-in, relogin-instruction, site-lost, error). */
  readonly events: ReadonlyMap<AgentEvent['type'], number>
}

export interface AgentWorkersOptions {
  agents: readonly SimulatedAgent[]
  processes: number
  /** Sign-ins in flight at once, over all workers. */
  concurrency: number
  heartbeatIntervalMs?: number
  lossConfirmations?: number
  /** Every sign-in of an agent (its index in `agents`), at the worker's clock. */
  onSignIn: (agentIndex: number, site: string, at: number) => void
}

interface Worker {
  child: ChildProcess
  census?: Census
  events: Map<AgentEvent['type'], number>
  done: Promise<{ latenciesMs: number[]; failures: string[] }>
}

function addCensus(total: Census, part: Census): Census {
  const sum: Record<string, unknown> = { ...total }
  for (const [key, value] of Object.entries(part)) {
    const before = sum[key]
    if (typeof value === 'number') sum[key] = (typeof before === 'number' ? before : 0) + value
    else if (typeof value === 'object') {
      const merged: Record<string, number> = { ...(before as Record<string, number> | undefined) }
      for (const [name, count] of Object.entries(value)) merged[name] = (merged[name] ?? 0) + count
      sum[key] = merged
    }
  }
  return sum as unknown as Census
}

const round = (ms: number) => Math.round(ms * 100) / 100
const roundAll = (figures: Percentiles): Percentiles => ({
  count: figures.count,
  p50: round(figures.p50),
  p95: round(figures.p95),
  p99: round(figures.p99),
  max: round(figures.max),
})

export class AgentWorkers implements FleetSimulator {
  private readonly workers: Worker[]
  private readonly releaseExitHook: () => void
  private failure: string | undefined

  private constructor(workers: Worker[]) {
    this.workers = workers
    this.releaseExitHook = killOnExit(() => {
      for (const { child } of workers) child.kill('SIGKILL')
    })
  }

  /** Starts the workers, each signing its slice in at home; resolves when every agent has tried once. */
  static async start(options: AgentWorkersOptions): Promise<{ workers: AgentWorkers; signIn: StormResult }> {
    const count = Math.max(1, Math.min(options.processes, options.agents.length))
    const sliceSize = Math.ceil(options.agents.length / count)
    const workers: Worker[] = []
    const fleet = new AgentWorkers(workers)
    const started = performance.now()
    try {
      for (let offset = 0; offset < options.agents.length; offset += sliceSize) {
        workers.push(fleet.spawn(options, offset, options.agents.slice(offset, offset + sliceSize), Math.ceil(options.concurrency / count)))
      }
      const results = await Promise.all(workers.map((worker) => worker.done))
      const elapsedMs = performance.now() - started
      const latencies = results.flatMap((result) => result.latenciesMs)
      const failures: Record<string, number> = {}
      for (const reason of results.flatMap((result) => result.failures)) failures[reason] = (failures[reason] ?? 0) + 1
      const signIn: StormResult = {
        succeeded: latencies.length,
        failed: options.agents.length - latencies.length,
        failures,
        elapsedMs: Math.round(elapsedMs),
        perSecond: Math.round((latencies.length / elapsedMs) * 1000),
        latencyMs: roundAll(percentiles(latencies)),
      }
      return { workers: fleet, signIn }
    } catch (error) {
      fleet.stop()
      throw error
    }
  }

  census(): Census {
    if (this.failure !== undefined) throw new Error(this.failure)
    // Every worker reported a census before start() resolved.
    const [first, ...rest] = this.workers.flatMap((worker) => (worker.census === undefined ? [] : [worker.census]))
    if (first === undefined) throw new Error('no agent worker has reported yet')
    return rest.reduce(addCensus, first)
  }

  get events(): ReadonlyMap<AgentEvent['type'], number> {
    const total = new Map<AgentEvent['type'], number>()
    for (const worker of this.workers) for (const [type, count] of worker.events) total.set(type, (total.get(type) ?? 0) + count)
    return total
  }

  get pids(): number[] {
    return this.workers.flatMap(({ child }) => (child.pid === undefined ? [] : [child.pid]))
  }

  /** Kills every worker: their connections drop without a sign-out. */
  stop(): void {
    this.failure ??= 'the simulated agents were stopped'
    for (const { child } of this.workers) child.kill('SIGKILL')
    this.releaseExitHook()
  }

  private spawn(options: AgentWorkersOptions, offset: number, agents: SimulatedAgent[], concurrency: number): Worker {
    const child = fork(WORKER, [], { execArgv: ['--disable-warning=ExperimentalWarning'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const name = `agent worker ${offset}..${offset + agents.length - 1} (pid ${child.pid ?? '?'})`
    const exited = once(child, 'exit').then(([code, signal]) => {
      this.failure ??= `${name} exited (${String(signal ?? code)})`
      return this.failure
    })
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
      const settle = (error?: Error) => {
        clearTimeout(timer)
        if (error === undefined) resolve()
        else reject(error)
      }
      child.once('message', () => settle())
      void exited.then((why) => settle(new Error(why)))
    })
    const worker: Worker = { child, events: new Map(), done: Promise.resolve({ latenciesMs: [], failures: [] }) }
    const finished = new Promise<{ latenciesMs: number[]; failures: string[] }>((resolve, reject) => {
      void exited.then((why) => reject(new Error(why)))
      child.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'signed-in':
            for (const [index, site, at] of message.marks) options.onSignIn(offset + index, site, at)
            return
          case 'state':
            worker.census = message.census
            worker.events = new Map(message.events)
            return
          case 'signed-in-all':
            resolve(message)
            return
          case 'failed':
            reject(new Error(`${name}: ${message.message}`))
            return
          case 'ready':
            return
        }
      })
    })
    void finished.catch(() => undefined) // awaited through `done`; unawaited when the worker never started
    const start: WorkerStart = {
      type: 'start',
      agents,
      concurrency,
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
      ...(options.lossConfirmations === undefined ? {} : { lossConfirmations: options.lossConfirmations }),
    }
    worker.done = ready.then(() => {
      child.send(start)
      return finished
    })
    return worker
  }
}

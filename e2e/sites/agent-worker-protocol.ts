// The messages between the fleet (e2e/sites/agent-workers.ts) and each of its worker processes
// (e2e/sites/agent-worker.ts), over the child-process IPC channel (JSON).
import type { AgentEvent } from '../../workloads/agent/client.ts'
import type { AgentSimulator, SimulatedAgent } from '../../workloads/agent/simulator.ts'

export type Census = ReturnType<AgentSimulator['census']>

export interface WorkerStart {
  type: 'start'
  agents: SimulatedAgent[]
  /** Sign-ins this worker keeps in flight at once. */
  concurrency: number
  heartbeatIntervalMs?: number
  lossConfirmations?: number
}

/** [index of the agent in the worker's slice, site, epoch ms]. */
export type SignInMark = [number, string, number]

export type FromWorker =
  /** Listening for its start message. */
  | { type: 'ready' }
  | { type: 'signed-in'; marks: SignInMark[] }
  | { type: 'state'; census: Census; events: [AgentEvent['type'], number][] }
  /** The sign-in of the whole slice finished: each success's latency, each failure's reason. */
  | { type: 'signed-in-all'; latenciesMs: number[]; failures: string[] }
  | { type: 'failed'; message: string }

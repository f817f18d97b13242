// The login service (workloads/login/main.ts) of a site as processes on loopback, its environment built
// with its own contract (workloads/login/contract.ts), as the operator's renderer builds it: one or
// several replicas sharing one port (SO_REUSEPORT), as a Service spreads agents over pods; the replicas
// share everything else through the site's Redis.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { loginContract } from '../../workloads/login/contract.ts'

const MAIN = fileURLToPath(new URL('../../workloads/login/main.ts', import.meta.url))
const START_TIMEOUT_MS = 15_000
/** Files one replica may hold for agents: `ulimit -n` is 20,000 here (soft = hard), some are left for the rest. */
const SOCKETS_PER_REPLICA = 15_000

/**
 * Replicas a site needs for a fleet of this size: each holds a socket per agent of the fleet (a primary
 * or a standby one) and, while agents move to it, an HTTP connection per moving agent. No more: on a
 * small machine another replica only adds work (at 5,000 agents on 2 cores the re-login p99 was 2.0 s
 * with one replica, 2.5 to 3.4 s with two).
 */
export const loginReplicasFor = (agents: number): number => Math.max(1, Math.ceil((agents * 1.5) / SOCKETS_PER_REPLICA))

export interface LoginProcessOptions {
  site: string
  redisUrl: string
  tokenSecretFile: string
  identityFile: string
  /** How long a session may stay silent before the sweeper ends it. */
  sessionTimeoutMs?: number
  /** Listen on this port (e.g. the one a restarted service had); default a free one. */
  port?: number
  /** Processes sharing the port; default 1 (see loginReplicasFor). */
  replicas?: number
  /** The site's ACD, told of every sign-in and sign-out; none when unset. */
  acdUrl?: string
}

export interface LoginProcess {
  url: string
  port: number
  /** The first replica's process id. */
  pid: number
  /** Every replica's process id. */
  pids: number[]
  /** SIGKILLs every replica and waits for their exit. */
  kill(): Promise<void>
}

interface Replica {
  url: string
  pid: number
  kill(): Promise<void>
}

async function startReplica(options: LoginProcessOptions, port: number, reusePort: boolean): Promise<Replica> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    // Built with the login service's own contract, as the operator renders its pod's env.
    env: {
      PATH: process.env.PATH,
      ...loginContract.env({
        site: options.site,
        redisUrl: options.redisUrl,
        host: '127.0.0.1',
        port,
        reusePort,
        tokenSecretFile: options.tokenSecretFile,
        identityFile: options.identityFile,
        sessionTimeoutMs: options.sessionTimeoutMs ?? 15_000,
        sweepIntervalMs: 500,
        logLevel: 'error',
        ...(options.acdUrl ? { acdUrl: options.acdUrl } : {}),
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  const lines = createInterface({ input: child.stdout })
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS)
  try {
    const first = await Promise.race([
      once(lines, 'line') as Promise<[string]>,
      exited.then(() => Promise.reject(new Error(`login service of ${options.site} exited while starting`))),
    ])
    const url = (JSON.parse(first[0]) as { listening: string }).listening
    child.stdout.resume()
    if (child.pid === undefined) throw new Error(`login service of ${options.site} has no process id`)
    return { url, pid: child.pid, kill }
  } catch (error) {
    await kill()
    throw error
  } finally {
    clearTimeout(timer)
  }
}

export async function startLoginProcess(options: LoginProcessOptions): Promise<LoginProcess> {
  const count = options.replicas ?? 1
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`replicas must be a whole number of at least 1, got ${count}`)
  const shared = count > 1
  const first = await startReplica(options, options.port ?? 0, shared)
  const port = Number(new URL(first.url).port)
  const replicas = [first]
  const kill = async () => {
    await Promise.all(replicas.map((replica) => replica.kill()))
  }
  const others = await Promise.allSettled(Array.from({ length: count - 1 }, () => startReplica(options, port, shared)))
  for (const other of others) if (other.status === 'fulfilled') replicas.push(other.value)
  const failed = others.find((other) => other.status === 'rejected')
  if (failed !== undefined) {
    await kill()
    throw failed.reason
  }
  return { url: first.url, port, pid: first.pid, pids: replicas.map((replica) => replica.pid), kill }
}

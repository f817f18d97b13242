// Restarts a harness Redis the way a Redis pod without persistence restarts: SIGKILL, then the same
// redis-server command line again in the same dir on the same port, empty. The process is found by the
// port it listens on (e2e/faults/freeze.ts), its command line and dir read from /proc; the new one is
// this module's child, killed by stop().
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readlinkSync } from 'node:fs'
import { Redis } from 'ioredis'
import { setTimeout as delay } from 'node:timers/promises'
import { pidsServing } from './freeze.ts'

export interface RestartedRedis {
  /** When the old process was killed (epoch ms). */
  killedAt: number
  /** When the new one answered PING. */
  readyAt: number
  stop(): Promise<void>
}

export async function restartRedisEmpty(url: string): Promise<RestartedRedis> {
  const port = Number(new URL(url).port)
  const [pid, ...others] = pidsServing([{ protocol: 'tcp', port }])
  if (pid === undefined || others.length > 0)
    throw new Error(`expected one Redis on port ${port}, found ${JSON.stringify([pid, ...others])}`)
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
  const dir = readlinkSync(`/proc/${pid}/cwd`)
  // Redis rewrites its command line ("redis-server 127.0.0.1:port"): start it with the harness's flags.
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no']
  const binary = argv[0]?.split(' ')[0] ?? 'redis-server'
  const killedAt = Date.now()
  process.kill(pid, 'SIGKILL')
  while (pidsServing([{ protocol: 'tcp', port }]).length > 0) await delay(20)
  const child: ChildProcess = spawn(binary, args, { cwd: dir, stdio: 'ignore' })
  const exited = once(child, 'exit')
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }).on('error', () => undefined)
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      await client.connect()
      await client.ping()
      break
    } catch {
      client.disconnect()
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`the restarted Redis on port ${port} did not answer within 15 s`)
      }
      await delay(50)
    }
  }
  client.disconnect()
  return {
    killedAt,
    readyAt: Date.now(),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGKILL')
      await exited
    },
  }
}

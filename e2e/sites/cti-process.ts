// The CTI bridge (workloads/cti/main.ts) as a process on loopback: FreeSWITCH's dialplan hands every call
// to it over an outbound Event Socket, and it follows the site's ACD.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { ctiContract } from '../../workloads/cti/contract.ts'

const MAIN = fileURLToPath(new URL('../../workloads/cti/main.ts', import.meta.url))
const START_TIMEOUT_MS = 15_000
const HOST = '127.0.0.1'

export interface CtiProcessOptions {
  site: string
  redisUrl: string
  acdUrl: string
  /** Where FreeSWITCH's `socket` application connects. */
  port: number
  /** The site's edge (host:port), for transfers to another site's queue. */
  edge: string
  /** Where FreeSWITCH writes recordings. */
  recordingsDir: string
}

export interface CtiProcess {
  socket: { host: string; port: number }
  pid: number
  kill(): Promise<void>
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, HOST)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

export async function startCtiProcess(options: CtiProcessOptions): Promise<CtiProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    // Built with the bridge's own contract, as the operator renders its pod's env. Its HTTP server
    // (/healthz, /readyz, /metrics) takes any free port: the two sites' bridges share this host.
    env: {
      PATH: process.env.PATH,
      ...ctiContract.env({
        site: options.site,
        redisUrl: options.redisUrl,
        acdUrl: options.acdUrl,
        host: HOST,
        port: options.port,
        httpPort: 0,
        edge: options.edge,
        recordingsDir: options.recordingsDir,
      }),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = once(child, 'exit')
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  const deadline = Date.now() + START_TIMEOUT_MS
  while (!(await listening(options.port))) {
    if (child.exitCode !== null) throw new Error(`the CTI bridge of ${options.site} exited with ${child.exitCode} while starting`)
    if (Date.now() > deadline) {
      await kill()
      throw new Error(`the CTI bridge of ${options.site} did not listen on ${HOST}:${options.port} within ${START_TIMEOUT_MS} ms`)
    }
    await delay(50)
  }
  if (child.pid === undefined) throw new Error(`the CTI bridge of ${options.site} has no process id`)
  return { socket: { host: HOST, port: options.port }, pid: child.pid, kill }
}

// The ACD (workloads/acd/main.ts) as a process on loopback, on a given port so it can be started again
// on the same one after a drill stopped it. Started once it is ready (its Redis answers, its SkillGroups
// are loaded), as its pod would be.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { acdContract } from '../../workloads/acd/contract.ts'

const MAIN = fileURLToPath(new URL('../../workloads/acd/main.ts', import.meta.url))
const START_TIMEOUT_MS = 15_000
const HOST = '127.0.0.1'

export interface AcdProcessOptions {
  site: string
  redisUrl: string
  port: number
}

export interface AcdProcess {
  url: string
  port: number
  pid: number
  /** SIGKILLs the process and waits for its exit. */
  kill(): Promise<void>
}

export async function startAcdProcess(options: AcdProcessOptions): Promise<AcdProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    // Built with the ACD's own contract, as the operator renders its pod's env.
    env: { PATH: process.env.PATH, ...acdContract.env({ site: options.site, redisUrl: options.redisUrl, host: HOST, port: options.port }) },
    // Its request log (one line per probe) is not wanted; a crash still shows on stderr.
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = once(child, 'exit')
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  const url = `http://${HOST}:${options.port}`
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ACD of ${options.site} exited with ${child.exitCode} while starting`)
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await kill()
      throw new Error(`the ACD of ${options.site} was not ready at ${url}/readyz within ${START_TIMEOUT_MS} ms`)
    }
    await delay(50)
  }
  if (child.pid === undefined) throw new Error(`the ACD of ${options.site} has no process id`)
  return { url, port: options.port, pid: child.pid, kill }
}

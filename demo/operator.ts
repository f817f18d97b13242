// The operator as a local process (as e2e/operator/operator-process.ts runs it, but against any
// kubeconfig, including the KUBECONFIG of a real cluster): its log goes to a file, its reports to
// --report-dir.
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { allocatePort } from '../e2e/controlplane/ports.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const READY_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 10_000

export interface DemoOperator {
  pid: number
  logPath: string
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>
  /** SIGTERM (the operator stops its controllers cleanly), SIGKILL after a grace period. */
  stop(): Promise<void>
}

export async function startDemoOperator(options: {
  kubeconfig: string
  namespace: string
  reportDir: string
  logPath: string
}): Promise<DemoOperator> {
  const [healthPort, metricsPort] = await Promise.all([allocatePort(), allocatePort()])
  const log = createWriteStream(options.logPath)
  const child = spawn(
    process.execPath,
    [
      'operator/main.ts',
      `--health-port=${healthPort}`,
      `--metrics-port=${metricsPort}`,
      '--bind-address=127.0.0.1',
      `--watch-namespace=${options.namespace}`,
      `--report-dir=${options.reportDir}`,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: options.kubeconfig, POD_NAME: 'callcenter-demo', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
  }
  if (child.pid === undefined) throw new Error('could not start the operator (operator/main.ts)')
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the operator exited with code ${child.exitCode} while starting; see ${options.logPath}`)
    try {
      if ((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the operator was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${options.logPath}`)
    }
    await delay(200)
  }
  return { pid: child.pid, logPath: options.logPath, exited, stop }
}

// Runs the operator as a real process against a test control plane, as a Deployment would run it.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { ControlPlane } from '../controlplane/controlplane.ts'
import { allocatePort } from '../controlplane/ports.ts'

export interface OperatorProcess {
  name: string
  healthPort: number
  metricsPort: number
  logPath: string
  child: ChildProcess
  /** Total API writes the operator has made, from its own /metrics. */
  apiWrites(): Promise<number>
  metric(name: string): Promise<number>
  exited: Promise<number | null>
  /** SIGTERM and wait (clean shutdown, releases the lease). */
  stop(): Promise<void>
  /** SIGKILL: the process dies without cleaning up. */
  kill(): Promise<void>
}

const root = new URL('../../', import.meta.url).pathname

export interface OperatorProcessOptions {
  args?: string[]
  /** Another kubeconfig, e.g. one that goes through a cuttable proxy. */
  kubeconfig?: string
}

export async function startOperator(cp: ControlPlane, name: string, options: OperatorProcessOptions = {}): Promise<OperatorProcess> {
  const [healthPort, metricsPort] = await Promise.all([allocatePort(), allocatePort()])
  const logPath = join(cp.dir, `operator-${name}.log`)
  const log = createWriteStream(logPath)
  const child = spawn(
    process.execPath,
    [
      'operator/main.ts',
      `--kubeconfig=${options.kubeconfig ?? cp.kubeconfigPath}`,
      `--health-port=${healthPort}`,
      `--metrics-port=${metricsPort}`,
      '--bind-address=127.0.0.1',
      ...(options.args ?? []),
    ],
    {
      cwd: root,
      env: { ...process.env, POD_NAME: name, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const metricsText = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
  const metric = async (metricName: string) => {
    const text = await metricsText()
    return text
      .split('\n')
      .filter((line) => line.startsWith(metricName) && !line.startsWith('#'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0)
  }
  const operator: OperatorProcess = {
    name,
    healthPort,
    metricsPort,
    logPath,
    child,
    exited,
    metric,
    apiWrites: () => metric('callcenter_operator_api_writes_total'),
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`operator ${name} exited with ${child.exitCode}; see ${logPath}`)
    try {
      if ((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok) return operator
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await operator.kill()
      throw new Error(`operator ${name} not ready within 30 s; see ${logPath}`)
    }
    await delay(100)
  }
}

/** Polls until the check passes or the time is up; returns the last value for the assertion message. */
export async function eventually<T>(what: string, probe: () => Promise<T>, pass: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await probe()
  while (!pass(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(value)}`)
    await delay(100)
    value = await probe()
  }
  return value
}

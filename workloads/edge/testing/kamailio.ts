// Test helper: a real kamailio (the Debian binary) in the foreground on loopback, with its config,
// dispatcher list and runtime dir in a temp dir, on random free ports. Stopped (and its dir removed)
// by stop().
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { RPC_PATH, type RenderedEdge } from '../../../operator/render/kamailio/index.ts'
import { freePort, LOOPBACK } from './ports.ts'

export interface EdgePorts {
  host: string
  sipPort: number
  rpcPort: number
  dispatcherListPath: string
}

export interface TestKamailio extends EdgePorts {
  dir: string
  rpcUrl: string
  /** What kamailio wrote to stderr so far (for failure messages). */
  log(): string
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 15_000
const LOG_LIMIT = 200_000

/** Runs `kamailio -c` on a config; resolves to kamailio's verdict and output. */
export async function checkKamailioConfig(cfg: string, dispatcherList = ''): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kamailio-check-'))
  try {
    const cfgPath = join(dir, 'kamailio.cfg')
    await writeFile(cfgPath, cfg)
    await writeFile(join(dir, 'dispatcher.list'), dispatcherList)
    const child = spawn('kamailio', ['-c', '-f', cfgPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number | null]
    return { ok: code === 0, output }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

async function waitForRpc(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kamailio exited with ${child.exitCode} while starting:\n${log().slice(-4000)}`)
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', method: 'core.version', id: 1 }),
        signal: AbortSignal.timeout(500),
      })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  throw new Error(`kamailio did not answer JSON-RPC at ${url} within ${START_TIMEOUT_MS} ms:\n${log().slice(-4000)}`)
}

/** Starts kamailio with the config `render` builds for the ports and paths chosen here. */
export async function startKamailio(render: (ports: EdgePorts) => RenderedEdge): Promise<TestKamailio> {
  const dir = await mkdtemp(join(tmpdir(), 'kamailio-edge-'))
  const sipPort = await freePort()
  let rpcPort = await freePort()
  while (rpcPort === sipPort) rpcPort = await freePort() // the kernel may hand out the port it just freed
  const ports: EdgePorts = {
    host: LOOPBACK,
    sipPort,
    rpcPort,
    dispatcherListPath: join(dir, 'dispatcher.list'),
  }
  const rendered = render(ports)
  const cfgPath = join(dir, 'kamailio.cfg')
  await writeFile(cfgPath, rendered.kamailioCfg)
  await writeFile(ports.dispatcherListPath, rendered.dispatcherList)
  const args = ['-DD', '-E', '-f', cfgPath, '-Y', dir, '-w', dir, '-m', '256', '-M', '16']
  const child = spawn('kamailio', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-LOG_LIMIT)
  })
  const log = () => output
  const rpcUrl = `http://${LOOPBACK}:${ports.rpcPort}${RPC_PATH}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      killGroup(child, 'SIGTERM')
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForRpc(rpcUrl, child, log)
  } catch (error) {
    await stop()
    throw error
  }
  return { ...ports, dir, rpcUrl, log, stop }
}

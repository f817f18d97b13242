// Starts a harness edge's Kamailio again after a drill SIGKILLed it: the same binary, config, dispatcher
// list and ports, in the same dir (the flags workloads/edge/testing/kamailio.ts starts it with). The new
// processes are found by that dir (their command line names it), like the first ones.
import { spawn } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'
import { join } from 'node:path'
import type { TestKamailio } from '../../workloads/edge/testing/kamailio.ts'

const START_TIMEOUT_MS = 15_000

export async function respawnKamailio(edge: Pick<TestKamailio, 'dir' | 'rpcUrl'>): Promise<void> {
  const args = ['-DD', '-E', '-f', join(edge.dir, 'kamailio.cfg'), '-Y', edge.dir, '-w', edge.dir, '-m', '256', '-M', '16']
  const child = spawn('kamailio', args, { cwd: edge.dir, stdio: 'ignore', detached: true })
  child.unref()
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kamailio in ${edge.dir} exited with ${child.exitCode} while restarting`)
    try {
      const response = await fetch(edge.rpcUrl, {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', method: 'core.version', id: 1 }),
        signal: AbortSignal.timeout(500),
      })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      throw new Error(`kamailio in ${edge.dir} did not answer JSON-RPC within ${START_TIMEOUT_MS} ms of a restart`)
    }
    await delay(50)
  }
}

// The edge agent's graceful stop, as a real process beside a real Kamailio, with SIPp calls: told to stop
// while calls are in progress, it writes the drained file (what Kamailio's preStop hook waits for) only
// once they have hung up, then exits.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { EdgeAgentClient } from './client.ts'
import { DID, SHANGHAI_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { freePort, LOOPBACK } from './testing/ports.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'
import { waitFor } from './testing/wait.ts'

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url))
const CALLS = 3
const HOLD_MS = 6_000

describe('edge agent stop: drained only after the calls in progress (real kamailio + SIPp + the agent process)', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio
  let dir: string

  before(async () => {
    shanghai = await startUas({ name: 'shanghai-fs' })
    nantong = await startUas({ name: 'nantong-fs' })
    edge = await startKamailio(renderTestEdge({ softswitches: { shanghai: [shanghai.address], nantong: [nantong.address] } }))
    dir = await mkdtemp(join(tmpdir(), 'edge-drain-'))
  })
  after(async () => {
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the drained file once the last call hung up, not before, and exits', async () => {
    const port = await freePort()
    const drainedFile = join(dir, 'drained')
    const agent = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
      env: {
        PATH: process.env.PATH,
        EDGE_SITE: 'shanghai',
        KAMAILIO_RPC_URL: edge.rpcUrl,
        DISPATCHER_LIST_PATH: edge.dispatcherListPath,
        EDGE_AGENT_HOST: LOOPBACK,
        EDGE_AGENT_PORT: String(port),
        DRAINED_FILE: drainedFile,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    const exited = once(agent, 'exit')
    try {
      const client = new EdgeAgentClient(`http://${LOOPBACK}:${port}`)
      await waitFor(async () => (await client.calls().catch(() => undefined)) !== undefined, 'the agent answers')
      const run = runCalls({
        edge: { host: edge.host, port: edge.sipPort },
        called: DID,
        caller: SHANGHAI_CALLER,
        calls: CALLS,
        rate: 50,
        holdMilliseconds: HOLD_MS,
        timeoutSeconds: 60,
      })
      await waitFor(async () => (await client.calls()).shanghai === CALLS, `${CALLS} calls in progress`)

      agent.kill('SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      assert.equal(existsSync(drainedFile), false, 'not drained while calls are in progress')
      assert.equal(agent.exitCode, null, 'still running, waiting for them')

      assert.equal((await run).successful, CALLS, 'the calls ended normally')
      const [code] = (await exited) as [number | null]
      assert.equal(code, 0)
      assert.equal(existsSync(drainedFile), true, 'drained once they hung up')
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL')
    }
  })
})

// The edge agent as a process (main.ts), its environment built with its contract (contract.ts) as the
// operator and the e2e harness build it, beside a real Kamailio (rendered config) with SIPp soft switches:
// readiness that asks Kamailio, and the metrics (calls in progress per site, routing changes, JSON-RPC errors).
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import { EdgeAgentClient } from './client.ts'
import { edgeAgentContract } from './contract.ts'
import { DID, SHANGHAI_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { freePort, LOOPBACK } from './testing/ports.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'
import { waitFor } from './testing/wait.ts'

const root = new URL('../../', import.meta.url).pathname

async function readyz(url: string): Promise<{ status: number; body: { status: string; destinations?: number; message?: string } }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })
  return { status: response.status, body: (await response.json()) as { status: string; destinations?: number; message?: string } }
}

const metricsOf = async (url: string) => (await fetch(`${url}/metrics`)).text()

describe('edge agent as a process, configured through its contract (real kamailio + SIPp)', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio
  let agent: ChildProcess
  let url: string

  before(async () => {
    shanghai = await startUas({ name: 'shanghai-fs' })
    nantong = await startUas({ name: 'nantong-fs' })
    edge = await startKamailio(renderTestEdge({ softswitches: { shanghai: [shanghai.address], nantong: [nantong.address] } }))
    const port = await freePort()
    url = `http://${LOOPBACK}:${port}`
    agent = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'workloads/edge/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        ...edgeAgentContract.env({
          site: 'shanghai',
          rpcUrl: edge.rpcUrl,
          dispatcherListPath: edge.dispatcherListPath,
          host: LOOPBACK,
          port,
        }),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    await waitFor(async () => {
      try {
        return (await readyz(url)).status === 200
      } catch {
        return false
      }
    }, 'the edge agent to be ready')
  })

  after(async () => {
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGKILL')
      await once(agent, 'exit')
    }
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
  })

  it('is ready while Kamailio answers, and exports calls in progress per site and routing changes', async () => {
    const ready = await readyz(url)
    assert.equal(ready.body.status, 'ready')
    assert.ok((ready.body.destinations ?? 0) >= 2, 'the destinations Kamailio has')

    const calls = runCalls({
      edge: { host: edge.host, port: edge.sipPort },
      called: DID,
      caller: SHANGHAI_CALLER,
      calls: 2,
      rate: 10,
      holdMilliseconds: 4000,
    })
    await waitFor(
      async () => /edge_calls_in_progress\{to_site="shanghai",site="shanghai"\} 2/.test(await metricsOf(url)),
      'the calls in progress to show',
    )
    assert.match(await metricsOf(url), /edge_calls_in_progress\{to_site="nantong",site="shanghai"\} 0/)
    assert.equal((await calls).successful, 2)

    await new EdgeAgentClient(url).setSiteState('nantong', 'inactive')
    await new EdgeAgentClient(url).setSiteState('nantong', 'active')
    assert.match(await metricsOf(url), /edge_routing_changes_total\{kind="site_state",site="shanghai"\} 2/)
  })

  it('is not ready once Kamailio no longer answers, and counts the failed JSON-RPC calls', async () => {
    await edge.stop()
    const notReady = await readyz(url)
    assert.equal(notReady.status, 503)
    assert.match(notReady.body.message ?? '', /Kamailio JSON-RPC at .* is unreachable/)
    assert.equal((await fetch(`${url}/healthz`)).status, 200)
    const metrics = await metricsOf(url)
    assert.match(metrics, /edge_rpc_errors_total\{method="dispatcher.list",site="shanghai"\} [1-9]/)
    assert.doesNotMatch(metrics, /edge_calls_in_progress\{/, 'no figure rather than a stale one')
  })

  it('refuses to start without EDGE_SITE, naming the variable', async () => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'workloads/edge/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, EDGE_AGENT_PORT: '8o90' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number | null]
    assert.equal(code, 2)
    assert.match(stderr, /EDGE_SITE is required/)
    assert.match(stderr, /EDGE_AGENT_PORT must be a port number \(0 to 65535\), got "8o90"/)
  })
})

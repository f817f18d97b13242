// The edge agent's GET /v1/calls, with real Kamailio and SIPp on loopback: long carrier calls to a site
// are counted under that site, read the way the failover controller reads a Managed edge's pod
// (operator/controllers/failover/edge-calls.ts, through the agent), and 0 once they hung up.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { realEdgeCalls } from '../../operator/controllers/failover/edge-calls.ts'
import { EdgeAgentClient } from './client.ts'
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'
import { DID, SHANGHAI_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { LOOPBACK } from './testing/ports.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'
import { waitFor } from './testing/wait.ts'

const CALLS = 4

describe('calls in progress through the edge agent (real kamailio + SIPp)', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio
  let agent: FastifyInstance
  let url: string

  before(async () => {
    shanghai = await startUas({ name: 'shanghai-fs' })
    nantong = await startUas({ name: 'nantong-fs' })
    edge = await startKamailio(renderTestEdge({ softswitches: { shanghai: [shanghai.address], nantong: [nantong.address] } }))
    agent = buildEdgeAgent(new EdgeRouting({ rpc: new KamailioRpc({ url: edge.rpcUrl }) }))
    await agent.listen({ host: LOOPBACK, port: 0 })
    url = `http://${LOOPBACK}:${(agent.server.address() as AddressInfo).port}`
  })

  after(async () => {
    await agent.close()
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
  })

  it('counts long calls to shanghai under shanghai per site, and none once they hung up', async () => {
    const client = new EdgeAgentClient(url)
    assert.deepEqual(await client.calls(), { nantong: 0, shanghai: 0 }, 'every site the edge has destinations of')
    const run = runCalls({
      edge: { host: edge.host, port: edge.sipPort },
      called: DID,
      caller: SHANGHAI_CALLER,
      calls: CALLS,
      rate: 50,
      holdMilliseconds: 6000,
      timeoutSeconds: 60,
    })
    await waitFor(async () => (await client.calls()).shanghai === CALLS, `${CALLS} calls in progress to shanghai`)
    const port = realEdgeCalls({ kind: 'agent', url }, 2000)
    assert.deepEqual([await port.callsTo('shanghai'), await port.callsTo('nantong')], [CALLS, 0], 'as the operator reads a Managed edge')
    assert.equal((await run).successful, CALLS)
    await waitFor(async () => (await client.calls()).shanghai === 0, 'no call in progress after BYE')
  })

  it('answers 502 when Kamailio cannot be asked', async () => {
    await edge.stop()
    const response = await fetch(`${url}/v1/calls`)
    assert.equal(response.status, 502)
    assert.match(((await response.json()) as { error: string }).error, /unreachable/)
  })
})

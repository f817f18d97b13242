// The edge agent against a real Kamailio (rendered config) with SIPp soft switches on loopback:
// the edge's view of its destinations, live flips over JSON-RPC (no restart, no dropped call),
// dispatcher list replacement, and what happens on bad input or an unreachable JSON-RPC endpoint.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { EdgeInputError } from '../../operator/render/kamailio/index.ts'
import { EdgeAgentClient, EdgeAgentError } from './client.ts'
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'
import { DID, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { freePort, LOOPBACK } from './testing/ports.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'

async function listen(app: FastifyInstance): Promise<EdgeAgentClient> {
  await app.listen({ host: LOOPBACK, port: 0 })
  return new EdgeAgentClient(`http://${LOOPBACK}:${(app.server.address() as AddressInfo).port}`)
}

describe('edge agent (real kamailio + SIPp): trunk all to shanghai (100/0), nantong as fallback', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio
  let agent: FastifyInstance
  let client: EdgeAgentClient
  const softswitches = () => ({ shanghai: [shanghai.address], nantong: [nantong.address] })
  const calls = (caller: string, count: number, rate = 100, holdMilliseconds = 0) =>
    runCalls({ edge: { host: edge.host, port: edge.sipPort }, called: DID, caller, calls: count, rate, holdMilliseconds })
  const countFrom = (uas: TestUas, caller: string) => uas.invites().then((list) => list.filter((i) => i.caller === caller))

  before(async () => {
    shanghai = await startUas({ name: 'shanghai-fs' })
    nantong = await startUas({ name: 'nantong-fs' })
    edge = await startKamailio(renderTestEdge({ weights: { shanghai: 100, nantong: 0 }, softswitches: softswitches() }))
    agent = buildEdgeAgent(new EdgeRouting({ rpc: new KamailioRpc({ url: edge.rpcUrl }), dispatcherListPath: edge.dispatcherListPath }))
    client = await listen(agent)
  })

  after(async () => {
    await agent.close()
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
  })

  it('reports every destination of every set with its site, state, probing and weight', async () => {
    const destinations = await client.destinations()
    const split = destinations.filter((d) => d.set === 101).sort((a, b) => b.priority - a.priority)
    assert.deepEqual(
      split.map((d) => [d.site, d.uri, d.state, d.probing, d.weight]),
      [
        ['shanghai', `sip:${LOOPBACK}:${shanghai.port}`, 'active', true, 100],
        ['nantong', `sip:${LOOPBACK}:${nantong.port}`, 'active', true, 0],
      ],
    )
    assert.deepEqual(
      [...new Set(destinations.map((d) => d.set))].sort((a, b) => a - b),
      [1, 2, 101],
    )
  })

  it('flips a site live: new calls go to the other site, and no call in progress is dropped', async () => {
    const caller = '07550000001'
    const running = calls(caller, 300, 100, 500)
    await sleep(1000)
    const flipped = await client.setSiteState('shanghai', 'inactive')
    assert.ok(flipped.length === 3 && flipped.every((d) => d.state === 'disabled'))
    const run = await running
    assert.equal(run.failed, 0)
    assert.equal(run.successful, 300)
    const before = await countFrom(shanghai, caller)
    const afterFlip = await countFrom(nantong, caller)
    assert.ok(before.length > 0 && afterFlip.length > 0, `shanghai ${before.length}, nantong ${afterFlip.length}`)
    assert.equal(before.length + afterFlip.length, 300)
    const lastAtShanghai = Math.max(...before.map((i) => i.time))
    const firstAtNantong = Math.min(...afterFlip.map((i) => i.time))
    assert.ok(lastAtShanghai <= firstAtNantong, 'a call reached shanghai after calls had moved to nantong')

    await client.setSiteState('shanghai', 'active')
    const back = await calls(`${caller}9`, 20)
    assert.equal(back.successful, 20)
    assert.equal((await countFrom(shanghai, `${caller}9`)).length, 20)
  })

  it('applies a new dispatcher list live: a reweighted trunk takes effect without a restart', async () => {
    const rendered = renderTestEdge({ weights: { shanghai: 0, nantong: 100 }, softswitches: softswitches() })(edge)
    const destinations = await client.replaceDispatcherList(rendered.dispatcherList)
    assert.deepEqual(
      destinations.filter((d) => d.set === 101 && d.weight > 0).map((d) => d.site),
      ['nantong'],
    )
    assert.equal(await readFile(edge.dispatcherListPath, 'utf8'), rendered.dispatcherList)
    const caller = '07550000002'
    assert.equal((await calls(caller, 20)).successful, 20)
    assert.equal((await countFrom(nantong, caller)).length, 20)
  })

  it('refuses a dispatcher list kamailio cannot load, and keeps the previous list and routing', async () => {
    const previous = await readFile(edge.dispatcherListPath, 'utf8')
    await assert.rejects(client.replaceDispatcherList('101 this-is-not-a-sip-uri 8 1 weight=100\n'), (error: unknown) => {
      assert.ok(error instanceof EdgeAgentError)
      assert.equal(error.status, 422)
      assert.match(error.message, /refused the new dispatcher list .*the previous list is kept/)
      return true
    })
    assert.equal(await readFile(edge.dispatcherListPath, 'utf8'), previous)
    const caller = '07550000003'
    assert.equal((await calls(caller, 10)).successful, 10)
    assert.equal((await countFrom(nantong, caller)).length, 10)
  })

  it('a Trunk whose weights cannot be honoured is refused before anything reaches the edge, which keeps routing', async () => {
    const listBefore = await readFile(edge.dispatcherListPath, 'utf8')
    assert.throws(
      () => renderTestEdge({ weights: { shanghai: 50, nantong: 50 }, softswitches: { shanghai: [shanghai.address] } })(edge),
      (error: unknown) =>
        error instanceof EdgeInputError &&
        error.message.includes('Trunk/carrier spec.sites[1].weight: weight 50 cannot be honoured: site "nantong" has no soft switches'),
    )
    assert.equal(await readFile(edge.dispatcherListPath, 'utf8'), listBefore)
    const caller = '07550000005'
    assert.equal((await calls(caller, 10)).successful, 10)
    assert.equal((await countFrom(nantong, caller)).length, 10)
  })

  it('answers 404 for a site the edge does not know, 400 for a state it does not know', async () => {
    await assert.rejects(
      client.setSiteState('suzhou', 'inactive'),
      /404 site "suzhou" has no destinations at this edge \(known: nantong, shanghai\)/,
    )
    const response = await fetch(`${client.baseUrl}/v1/sites/shanghai/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'sleepy' }),
    })
    assert.equal(response.status, 400)
  })

  it('with the JSON-RPC endpoint unreachable: a clear 502, the list file untouched, the edge still routing as before', async () => {
    const deadUrl = `http://${LOOPBACK}:${await freePort()}/RPC`
    const lost = buildEdgeAgent(new EdgeRouting({ rpc: new KamailioRpc({ url: deadUrl }), dispatcherListPath: edge.dispatcherListPath }))
    try {
      const lostClient = await listen(lost)
      const listBefore = await readFile(edge.dispatcherListPath, 'utf8')
      const unreachable = new RegExp(
        `502 Kamailio JSON-RPC at ${deadUrl.replace(/\./g, '\\.')} is unreachable \\(.*ECONNREFUSED.*\\); the edge keeps its previous routing`,
      )
      await assert.rejects(lostClient.destinations(), unreachable)
      await assert.rejects(lostClient.setSiteState('nantong', 'inactive'), unreachable)
      await assert.rejects(lostClient.replaceDispatcherList('1 sip:127.0.0.1:9 8 1 weight=100\n'), unreachable)
      assert.equal(await readFile(edge.dispatcherListPath, 'utf8'), listBefore)
      const caller = '07550000004'
      assert.equal((await calls(caller, 10)).successful, 10)
      assert.equal((await countFrom(nantong, caller)).length, 10)
    } finally {
      await lost.close()
    }
  })
})

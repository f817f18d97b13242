// Real Kamailio (rendered config) and SIPp on loopback: SIPp UAS processes stand in for each site's
// FreeSWITCH soft switch, a SIPp UAC places the carrier's calls.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { DID, NANTONG_CALLER, OTHER_CALLER, renderTestEdge, SHANGHAI_CALLER } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'
import { waitFor } from './testing/wait.ts'

describe('edge routing (real kamailio + SIPp): shanghai edge, trunk split shanghai=70 nantong=30', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio
  // Distinct calls: under load a soft switch may see an INVITE retransmitted before its answer reached the edge.
  const from = (uas: TestUas, caller: string) =>
    uas.invites().then((list) => new Set(list.filter((i) => i.caller === caller).map((i) => i.callId)).size)

  before(async () => {
    shanghai = await startUas({ name: 'shanghai-fs' })
    nantong = await startUas({ name: 'nantong-fs' })
    edge = await startKamailio(renderTestEdge({ softswitches: { shanghai: [shanghai.address], nantong: [nantong.address] } }))
  })

  after(async () => {
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
  })

  it('lands 2,000 calls within 5 points of the 70/30 split, none failed', async (t) => {
    const run = await runCalls({ edge: { host: edge.host, port: edge.sipPort }, called: DID, caller: OTHER_CALLER, calls: 2000, rate: 400 })
    const atShanghai = await from(shanghai, OTHER_CALLER)
    const atNantong = await from(nantong, OTHER_CALLER)
    t.diagnostic(`shanghai ${atShanghai}, nantong ${atNantong}, failed ${run.failed}`)
    assert.equal(run.successful, 2000)
    assert.equal(run.failed, 0)
    assert.equal(atShanghai + atNantong, 2000)
    const share = (atShanghai * 100) / (atShanghai + atNantong)
    assert.ok(Math.abs(share - 70) <= 5, `shanghai took ${share.toFixed(1)} % of the calls, not 70 +- 5 %`)
  })

  it("sends callers matching a prefix rule to that rule's site", async () => {
    const target = { host: edge.host, port: edge.sipPort }
    const toShanghai = await runCalls({ edge: target, called: DID, caller: SHANGHAI_CALLER, calls: 50, rate: 100 })
    const toNantong = await runCalls({ edge: target, called: DID, caller: NANTONG_CALLER, calls: 50, rate: 100 })
    assert.equal(toShanghai.successful + toNantong.successful, 100)
    assert.equal(await from(shanghai, SHANGHAI_CALLER), 50)
    assert.equal(await from(nantong, SHANGHAI_CALLER), 0)
    assert.equal(await from(nantong, NANTONG_CALLER), 50)
    assert.equal(await from(shanghai, NANTONG_CALLER), 0)
  })

  it('refuses a call to a number no trunk delivers', async () => {
    const run = await runCalls({
      edge: { host: edge.host, port: edge.sipPort },
      called: '864009999999',
      caller: OTHER_CALLER,
      calls: 3,
      rate: 10,
    })
    assert.equal(run.successful, 0)
    assert.equal(run.failed, 3)
  })

  it("with the local site's soft switch down, the probes take it out and calls (even shanghai's callers) go to nantong", async () => {
    await shanghai.stop()
    const routing = new EdgeRouting({ rpc: new KamailioRpc({ url: edge.rpcUrl }) })
    await waitFor(
      async () => (await routing.destinations()).filter((d) => d.site === 'shanghai').every((d) => d.state === 'inactive'),
      'the OPTIONS probes to mark every shanghai destination inactive',
    )
    const caller = `${SHANGHAI_CALLER}9`
    const local = await runCalls({ edge: { host: edge.host, port: edge.sipPort }, called: DID, caller, calls: 50, rate: 100 })
    const split = await runCalls({
      edge: { host: edge.host, port: edge.sipPort },
      called: DID,
      caller: `${OTHER_CALLER}9`,
      calls: 50,
      rate: 100,
    })
    assert.equal(local.failed + split.failed, 0)
    assert.equal(await from(nantong, caller), 50)
    assert.equal(await from(nantong, `${OTHER_CALLER}9`), 50)
  })
})

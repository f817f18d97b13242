// Calls in progress per destination site, counted by the edge's dialog profile, with real Kamailio and SIPp on
// loopback: N long carrier calls routed to a site are N in that site's profile over JSON-RPC, and 0 once they
// hung up; a call that fails over to the other site counts there, not at the site that did not answer. The counts
// are read the way the failover controller reads them (operator/controllers/failover/edge-calls.ts).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { realEdgeCalls } from '../../operator/controllers/failover/edge-calls.ts'
import { DID, SHANGHAI_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'
import { waitFor } from './testing/wait.ts'

const CALLS = 5
const HOLD_MS = 6000

/** The count as the operator reads it (JSON-RPC dlg.profile_get_size). */
async function callsTo(edge: TestKamailio, site: string): Promise<number> {
  return realEdgeCalls({ kind: 'rpc', url: edge.rpcUrl }, 2000).callsTo(site)
}

describe('calls in progress per destination site (real kamailio + SIPp)', () => {
  let shanghai: TestUas
  let nantong: TestUas
  let edge: TestKamailio

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

  const placeLongCalls = () =>
    runCalls({
      edge: { host: edge.host, port: edge.sipPort },
      called: DID,
      caller: SHANGHAI_CALLER,
      calls: CALLS,
      rate: 50,
      holdMilliseconds: HOLD_MS,
      timeoutSeconds: 60,
    })

  it(`counts ${CALLS} long calls routed to shanghai under shanghai, and none once they hung up`, async () => {
    assert.equal(await callsTo(edge, 'shanghai'), 0)
    const run = placeLongCalls()
    await waitFor(async () => (await callsTo(edge, 'shanghai')) === CALLS, `${CALLS} calls in progress to shanghai`)
    assert.equal(await callsTo(edge, 'nantong'), 0, 'a call to shanghai counted for nantong')
    assert.equal((await run).successful, CALLS)
    await waitFor(async () => (await callsTo(edge, 'shanghai')) === 0, 'no call in progress to shanghai after BYE')
    assert.equal((await shanghai.invites()).length, CALLS)
  })

  it('counts a call that failed over from a silent shanghai soft switch under nantong', async () => {
    await shanghai.stop()
    const run = placeLongCalls()
    await waitFor(async () => (await callsTo(edge, 'nantong')) === CALLS, `${CALLS} calls in progress to nantong`, 30_000)
    assert.equal(await callsTo(edge, 'shanghai'), 0, 'a call that failed over still counts for shanghai')
    assert.equal((await run).successful, CALLS)
    await waitFor(async () => (await callsTo(edge, 'nantong')) === 0, 'no call in progress to nantong after BYE')
    assert.match(edge.log(), /soft switch sip:127\.0\.0\.1:\d+ failed \(408\)/, 'no call timed out at shanghai and failed over')
  })
})

// Per-call failover at the edge, with real Kamailio and SIPp on loopback: when one site's soft switch
// (a SIPp UAS standing in for FreeSWITCH) goes silent or refuses calls with 503, every call still
// completes at the other site. The failed-call count is reported (target 0).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DID, OTHER_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { runCalls, startUas, type TestUas, type UasBehaviour } from './testing/sipp.ts'

function failoverSuite(title: string, shanghaiBehaviour: UasBehaviour, silence: boolean): void {
  describe(title, () => {
    let shanghai: TestUas
    let nantong: TestUas
    let edge: TestKamailio

    before(async () => {
      shanghai = await startUas({ name: 'shanghai-fs', behaviour: shanghaiBehaviour })
      nantong = await startUas({ name: 'nantong-fs' })
      edge = await startKamailio(renderTestEdge({ softswitches: { shanghai: [shanghai.address], nantong: [nantong.address] } }))
    })

    after(async () => {
      await edge.stop()
      await shanghai.stop()
      await nantong.stop()
    })

    it('completes all 200 calls at nantong, none failed', async (t) => {
      if (silence) await shanghai.stop()
      const run = await runCalls({
        edge: { host: edge.host, port: edge.sipPort },
        called: DID,
        caller: OTHER_CALLER,
        calls: 200,
        rate: 100,
      })
      t.diagnostic(`failed calls: ${run.failed} of 200`)
      assert.equal(run.failed, 0)
      assert.equal(run.successful, 200)
      assert.equal((await nantong.invites()).length, 200)
      if (silence) {
        assert.match(
          edge.log(),
          new RegExp(`soft switch sip:127\\.0\\.0\\.1:${shanghai.port} failed \\(408\\)`),
          'no call timed out at shanghai',
        )
      } else {
        assert.ok((await shanghai.invites()).length > 0, 'shanghai was never tried')
      }
    })
  })
}

failoverSuite('per-call failover (real kamailio + SIPp): the shanghai soft switch stops answering', 'answer', true)
failoverSuite('per-call failover (real kamailio + SIPp): the shanghai soft switch answers 503', 'refuse-503', false)

// IP phones register at both sites (line A at one, line B at the other), each line through its site's
// edge, which relays the REGISTER to that site's own soft switch: FreeSWITCH checks the digest against
// its directory and keeps the registration. Real
// Kamailio edges; SIPp UASes stand in for the two sites' soft switches; a SIPp UAC registers.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { registerPhone, startUas, type TestUas } from './testing/sipp.ts'

describe("phone registrations relayed to the site's own soft switch (real kamailio edges, SIPp standing in for FreeSWITCH)", () => {
  let shanghaiSoftswitch: TestUas
  let nantongSoftswitch: TestUas
  let shanghaiEdge: TestKamailio
  let nantongEdge: TestKamailio
  const sip = (edge: TestKamailio) => ({ host: edge.host, port: edge.sipPort })
  const register = (edge: TestKamailio, extension: string) => registerPhone({ edge: sip(edge), extension, contactPort: 5099 })

  before(async () => {
    shanghaiSoftswitch = await startUas({ name: 'fs-shanghai' })
    nantongSoftswitch = await startUas({ name: 'fs-nantong' })
    const softswitches = { shanghai: [shanghaiSoftswitch.address], nantong: [nantongSoftswitch.address] }
    shanghaiEdge = await startKamailio(renderTestEdge({ site: 'shanghai', softswitches }))
    nantongEdge = await startKamailio(renderTestEdge({ site: 'nantong', softswitches }))
  })

  after(async () => {
    await shanghaiEdge.stop()
    await nantongEdge.stop()
    await shanghaiSoftswitch.stop()
    await nantongSoftswitch.stop()
  })

  it('registers line A (8001) through the shanghai edge and line B (6001) through the nantong edge', async () => {
    assert.equal(await register(shanghaiEdge, '8001'), true)
    assert.equal(await register(nantongEdge, '6001'), true)
  })

  it("never registers a line at another site's soft switch when its own is gone", async () => {
    await shanghaiSoftswitch.stop()
    // Once the dispatcher has marked it inactive (failed OPTIONS probes) the edge's next choice would be
    // nantong's soft switch, which would accept anything: the edge must answer 503 instead.
    await new Promise((resolve) => setTimeout(resolve, 4000))
    assert.equal(await register(shanghaiEdge, '8001'), false)
    assert.equal(await register(nantongEdge, '6001'), true, "nantong's lines still register at nantong")
  })
})

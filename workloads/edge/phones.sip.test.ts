// IP phones register at both sites at once (line A at one edge, line B at the other), so a phone is
// reachable through either edge. Real kamailio edges (shanghai, nantong) and SIPp on loopback: one
// SIPp UAS is the phone, SIPp UAC runs register its two lines and call it.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { OTHER_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio, type TestKamailio } from './testing/kamailio.ts'
import { registerPhone, runCalls, startUas, type TestUas } from './testing/sipp.ts'

describe('dual-registered phone (real kamailio edges + SIPp)', () => {
  let softswitch: TestUas
  let phone: TestUas
  let shanghaiEdge: TestKamailio
  let nantongEdge: TestKamailio
  const sip = (edge: TestKamailio) => ({ host: edge.host, port: edge.sipPort })
  const call = (edge: TestKamailio, extension: string) =>
    runCalls({ edge: sip(edge), called: extension, caller: OTHER_CALLER, calls: 1, rate: 10 })
  const received = (extension: string) => phone.invites().then((list) => list.filter((i) => i.called === extension).length)

  before(async () => {
    softswitch = await startUas({ name: 'fs' })
    phone = await startUas({ name: 'phone-0015653c0001' })
    const softswitches = { shanghai: [softswitch.address], nantong: [softswitch.address] }
    shanghaiEdge = await startKamailio(renderTestEdge({ site: 'shanghai', softswitches }))
    nantongEdge = await startKamailio(renderTestEdge({ site: 'nantong', softswitches }))
  })

  after(async () => {
    await shanghaiEdge.stop()
    await nantongEdge.stop()
    await phone.stop()
    await softswitch.stop()
  })

  it('registers line A (8001) at the shanghai edge and line B (6001) at the nantong edge', async () => {
    assert.equal(await registerPhone({ edge: sip(shanghaiEdge), extension: '8001', contactPort: phone.port }), true)
    assert.equal(await registerPhone({ edge: sip(nantongEdge), extension: '6001', contactPort: phone.port }), true)
  })

  it("reaches the phone through either edge by that site's extension", async () => {
    assert.equal((await call(shanghaiEdge, '8001')).successful, 1)
    assert.equal((await call(nantongEdge, '6001')).successful, 1)
    assert.equal(await received('8001'), 1)
    assert.equal(await received('6001'), 1)
  })

  it("keeps each site's extensions to its own edge: 8001 is unknown at nantong", async () => {
    const run = await call(nantongEdge, '8001')
    assert.equal(run.failed, 1)
    assert.equal(await received('8001'), 1)
  })

  it('still reaches the phone through nantong when the shanghai edge is gone', async () => {
    await shanghaiEdge.stop()
    assert.equal((await call(nantongEdge, '6001')).successful, 1)
    assert.equal(await received('6001'), 2)
  })
})

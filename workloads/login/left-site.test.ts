// An agent that signed in at another site closes its old primary connection with LEFT_FOR_ANOTHER_SITE;
// the old site ends the session at once, even when the heartbeats it had queued (a frozen site reads
// them all after SIGCONT) arrive just before that close and renewed it. Found by the site-frozen fault
// e2e (e2e/faults/site-frozen.test.ts): without this, a thawed site kept every moved agent signed in
// for another session timeout.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import WebSocket from 'ws'
import { AGENT_SOCKET_PATH, LEFT_FOR_ANOTHER_SITE } from '../lib/protocol.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { credentials, post, startTwoSiteLogins, worldObjects, type TwoSiteLogins } from './testing/world.ts'

describe('an agent that left for another site ends its session at the old one (two real Redis, two login services)', () => {
  const objects = worldObjects({ extraAgents: 4, shanghaiPools: [{ name: 'general', from: 1000, to: 1099 }] })
  let sites: TwoSiteLogins
  before(async () => (sites = await startTwoSiteLogins(objects)))
  after(() => sites.stop())

  const hasSession = async (agentId: string) => (await sites.redis.shanghai.exists(`login:shanghai:session:${agentId}`)) === 1

  /** Signs agent n in at shanghai and opens its primary connection there, heartbeats queued behind the hello. */
  const primaryAtShanghai = async (n: number, heartbeats: number) => {
    const answer = await post(`${sites.url('shanghai')}/v1/signin`, credentials(`agent${n}@travel.example`, `PC-${n}`))
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    const socket = new WebSocket(`${sites.url('shanghai').replace(/^http/, 'ws')}${AGENT_SOCKET_PATH}`)
    await once(socket, 'open')
    const welcomed = once(socket, 'message')
    socket.send(JSON.stringify({ type: 'hello', token: String(answer.body.token), mode: 'primary' }))
    await welcomed
    // As a frozen site finds them after SIGCONT: heartbeats and the close, all in its socket at once.
    for (let seq = 1; seq <= heartbeats; seq++) socket.send(JSON.stringify({ type: 'heartbeat', seq }))
    return socket
  }

  it('ends the session when the agent closes with LEFT_FOR_ANOTHER_SITE right behind its heartbeats', async () => {
    const socket = await primaryAtShanghai(100, 3)
    assert.equal(await hasSession('A100'), true)
    const closed = once(socket, 'close')
    socket.close(LEFT_FOR_ANOTHER_SITE, 'signed in at another site')
    await closed
    await waitFor('the session at shanghai ended', async () => !(await hasSession('A100')))
    const ended = await sites.redis.shanghai.keys('login:shanghai:ended:*')
    assert.equal(ended.length, 1, 'remembered as ended, so a late heartbeat cannot re-create it')
    assert.equal(await sites.redis.shanghai.get(ended[0] ?? ''), 'signed-out', 'ended by the close, not expired by its timeout')
  })

  it('keeps the session when the connection merely closes (a network blip: the agent reconnects with its token)', async () => {
    const socket = await primaryAtShanghai(101, 1)
    const closed = once(socket, 'close')
    socket.close(1000, 'bye')
    await closed
    // The server handled the close before it answers anything after it.
    await fetch(`${sites.url('shanghai')}/v1/sessions`)
    assert.equal(await hasSession('A101'), true, 'ended only by its timeout or a sign-out')
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { WebSocket } from '@fastify/websocket'
import type { SessionClaims } from '../lib/auth/tokens.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { ConnectionHub, type StandingInstruction } from './hub.ts'

/** Records what the hub sends; stands in for a WebSocket (the hub only sends, closes and reads readyState). */
function fakeSocket() {
  const sent: Record<string, unknown>[] = []
  const socket = {
    OPEN: 1,
    readyState: 1,
    send: (text: string) => sent.push(JSON.parse(text) as Record<string, unknown>),
    close: () => undefined,
  }
  return { socket: socket as unknown as WebSocket, sent }
}

const claims = (agentId: string, site: string) => ({ agentId, site, sessionId: `s-${agentId}` }) as unknown as SessionClaims

describe('connection hub: standing instructions (a failback reaches standby connections that arrive later)', () => {
  const instruction = { reason: 'failback', site: 'shanghai', url: 'http://shanghai', takeoverId: 't1', mode: 'drain' as const }

  it('tells a standby connection of the site that arrives before the instruction lapses, if its offer accepts the agent', async () => {
    const hub = new ConnectionHub()
    const told: string[] = []
    const standing: StandingInstruction = {
      failedSite: 'nantong',
      until: Date.now() + 60_000,
      instruction,
      offer: (agentId) => Promise.resolve(agentId !== 'N1'),
      told: (agentId) => {
        told.push(agentId)
        return Promise.resolve()
      },
    }
    hub.stand(standing)
    const homedHere = fakeSocket()
    const homedThere = fakeSocket()
    const atOtherSite = fakeSocket()
    hub.add({ socket: homedHere.socket, mode: 'standby', claims: claims('S1', 'nantong') })
    hub.add({ socket: homedThere.socket, mode: 'standby', claims: claims('N1', 'nantong') })
    hub.add({ socket: atOtherSite.socket, mode: 'standby', claims: claims('S2', 'hangzhou') })
    await waitFor('the agent told', () => told.length === 1)
    assert.deepEqual(homedHere.sent, [{ type: 'relogin', ...instruction }])
    assert.deepEqual(told, ['S1'])
    assert.deepEqual(homedThere.sent, [], 'the offer refused it (e.g. homed at the survivor)')
    assert.deepEqual(atOtherSite.sent, [], 'signed in at another site than the takeover leaves')
    assert.equal(hub.standingCount(), 1)
  })

  it('forgets an instruction once it lapses, and never stands one already lapsed', () => {
    const hub = new ConnectionHub()
    const base = { failedSite: 'nantong', instruction, offer: () => Promise.resolve(true), told: () => Promise.resolve() }
    const now = 1_000_000
    hub.stand({ ...base, until: now + 1_000 }, now)
    hub.stand({ ...base, until: now }, now)
    assert.equal(hub.standingCount(now), 1)
    assert.equal(hub.standingCount(now + 1_000), 0)
  })

  it('returns the agents a broadcast told', () => {
    const hub = new ConnectionHub()
    hub.add({ socket: fakeSocket().socket, mode: 'standby', claims: claims('S1', 'nantong') })
    hub.add({ socket: fakeSocket().socket, mode: 'standby', claims: claims('S2', 'nantong') })
    assert.deepEqual(
      hub.instructRelogin('nantong', instruction, (agentId) => agentId === 'S2'),
      ['S2'],
    )
  })
})

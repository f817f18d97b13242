import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import WebSocket from 'ws'
import { AgentClient, type AgentEvent } from '../agent/client.ts'
import { AGENT_SOCKET_PATH, type ServerMessage } from '../lib/protocol.ts'
import { waitFor } from '../lib/testing/wait.ts'
import {
  credentials,
  post,
  startTestLogin,
  startTwoSiteLogins,
  worldObjects,
  type TwoSiteLogins,
  type TwoSiteName,
} from './testing/world.ts'

describe('re-login over the standby connection (two real Redis, two login services)', () => {
  const objects = worldObjects({ extraAgents: 8, shanghaiPools: [{ name: 'general', from: 1000, to: 1099 }] })
  let sites: TwoSiteLogins
  before(async () => (sites = await startTwoSiteLogins(objects)))
  after(() => sites.stop())

  const url = (site: TwoSiteName) => sites.url(site)
  const signInAtShanghai = async (n: number) => {
    const answer = await post(`${url('shanghai')}/v1/signin`, credentials(`agent${n}@travel.example`, `PC-${n}`))
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    return String(answer.body.token)
  }
  const hasSession = async (site: TwoSiteName, agentId: string) =>
    (await sites.redis[site].exists(`login:${site}:session:${agentId}`)) === 1

  /** A raw agent socket: sends client messages, hands out the server's messages in order. */
  const connect = async (site: TwoSiteName) => {
    const socket = new WebSocket(`${url(site).replace(/^http/, 'ws')}${AGENT_SOCKET_PATH}`)
    const inbox: ServerMessage[] = []
    const waiting: ((message: ServerMessage) => void)[] = []
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage
      const next = waiting.shift()
      if (next === undefined) inbox.push(message)
      else next(message)
    })
    await once(socket, 'open')
    return {
      socket,
      send: (message: Record<string, unknown>) => socket.send(JSON.stringify(message)),
      next: () => {
        const queued = inbox.shift()
        return queued === undefined ? new Promise<ServerMessage>((resolve) => waiting.push(resolve)) : Promise.resolve(queued)
      },
    }
  }

  it('signs the agent in and makes the standby connection its primary: heartbeats on it renew the new session', async (t) => {
    const token = await signInAtShanghai(100)
    const agent = await connect('nantong')
    t.after(() => agent.socket.terminate())
    agent.send({ type: 'hello', token, mode: 'standby' })
    assert.deepEqual(await agent.next(), { type: 'welcome', mode: 'standby', site: 'nantong', sessionTimeoutMs: 5_000 })
    assert.equal(await hasSession('nantong', 'A100'), false)

    agent.send({ type: 'relogin', token })
    const answer = await agent.next()
    assert.equal(answer.type, 'signed-in', JSON.stringify(answer))
    assert.equal(answer.result.site, 'nantong')
    assert.equal(answer.result.agentId, 'A100')
    assert.equal(answer.result.extension, '9100', "the phone's nantong line")
    assert.equal(await hasSession('nantong', 'A100'), true)

    agent.send({ type: 'heartbeat', seq: 1 })
    assert.deepEqual(await agent.next(), { type: 'heartbeat-ack', seq: 1 }, 'a primary heartbeat, answered after renewing the session')
    const sessions = (await (await fetch(`${url('nantong')}/v1/sessions`)).json()) as { active: number }
    assert.equal(sessions.active, 1)
  })

  it("refuses another agent's token, a bad token and a second re-login, and the refused ones change nothing", async (t) => {
    const [own, other] = [await signInAtShanghai(101), await signInAtShanghai(102)]
    const agent = await connect('nantong')
    t.after(() => agent.socket.terminate())
    agent.send({ type: 'hello', token: own, mode: 'standby' })
    assert.equal((await agent.next()).type, 'welcome')

    agent.send({ type: 'relogin', token: other })
    const foreign = await agent.next()
    assert.equal(foreign.type, 'relogin-refused')
    assert.equal(foreign.code, 'bad-request')
    assert.match(foreign.message, /belongs to agent A101, not A102/)
    agent.send({ type: 'relogin', token: 'not-a-token' })
    const bad = await agent.next()
    assert.equal(bad.type === 'relogin-refused' && `${bad.status} ${bad.code}`, '401 token-invalid')
    assert.equal(await hasSession('nantong', 'A101'), false)
    assert.equal(await hasSession('nantong', 'A102'), false)

    agent.send({ type: 'relogin', token: own })
    assert.equal((await agent.next()).type, 'signed-in', 'the connection stayed a standby after the refusals')
    agent.send({ type: 'relogin', token: own })
    const again = await agent.next()
    assert.equal(again.type === 'relogin-refused' && again.message, 'this connection is already the primary: heartbeat on it')
  })

  it('an agent client follows a takeover over its standby connection, and signs out of the lost site only once it answers again', async (t) => {
    const events: AgentEvent[] = []
    const client = new AgentClient({
      credentials: credentials('agent105@travel.example', 'PC-105'),
      primaryUrl: url('shanghai'),
      standbyUrl: url('nantong'),
      heartbeatIntervalMs: 500,
      onEvent: (event) => events.push(event),
    })
    t.after(() => client.disconnect())
    await client.signIn()
    await waitFor('both connections', () => client.connections.primary && client.connections.standby)

    const port = Number(new URL(url('shanghai')).port)
    await sites.logins.shanghai.close() // the site is lost: its connections drop, nothing answers on its port
    const takeover = await post(`${url('nantong')}/v1/takeover`, { failedSite: 'shanghai' })
    assert.equal(takeover.status, 202, JSON.stringify(takeover.body))
    await waitFor('signed in at nantong', () => client.session?.site === 'nantong')
    const signedIn = events.filter((event) => event.type === 'signed-in')
    assert.deepEqual(
      signedIn.map((event) => [event.site, event.overStandby ?? false]),
      [
        ['shanghai', false],
        ['nantong', true],
      ],
    )
    assert.ok(client.connections.primary, 'the standby connection is the primary now')
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    assert.equal(events.filter((event) => event.type === 'left-site').length, 0, 'no sign-out is tried while shanghai is down')

    sites.logins.shanghai = await startTestLogin(sites.redisServers.shanghai.url, 'shanghai', objects, { port })
    await waitFor('signed out of shanghai once it answers', () => events.some((event) => event.type === 'left-site'), { timeoutMs: 20_000 })
    assert.equal(await hasSession('shanghai', 'A105'), false)
    assert.equal(client.session?.site, 'nantong')
  })
})

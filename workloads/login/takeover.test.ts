import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { AgentClient, type AgentEvent } from '../agent/client.ts'
import { AgentSimulator } from '../agent/simulator.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import type { LoginService } from './server.ts'
import type { TakeoverReport } from './takeover.ts'
import { credentials, post, projectWorld, startTestLogin, worldObjects } from './testing/world.ts'

describe('failover of agents between two sites (two real Redis, two login services)', () => {
  const objects = worldObjects({ extraAgents: 12, shanghaiPools: [{ name: 'general', from: 1000, to: 1099 }] })
  const redisServers: TestRedis[] = []
  const redis: Record<string, Redis> = {}
  const logins: Record<string, LoginService> = {}
  const stoppers: (() => void)[] = []

  before(async () => {
    for (const site of ['shanghai', 'nantong']) {
      const server = await startRedis()
      redisServers.push(server)
      const client = new Redis(server.url)
      redis[site] = client
      await projectWorld(client, objects)
      logins[site] = await startTestLogin(server.url, site, objects)
    }
  })
  after(async () => {
    for (const stop of stoppers) stop()
    for (const login of Object.values(logins)) await login.close()
    for (const client of Object.values(redis)) client.disconnect()
    for (const server of redisServers) await server.stop()
  })

  const url = (site: string) => {
    const login = logins[site]
    assert.ok(login)
    return login.url
  }

  it('on a takeover, every agent with a standby connection signs in at the peer, and each re-login time is recorded', async () => {
    const simulator = new AgentSimulator({
      agents: Array.from({ length: 10 }, (_, index) => ({
        credentials: credentials(`agent${100 + index}@travel.example`, `PC-${100 + index}`),
        primaryUrl: url('shanghai'),
        standbyUrl: url('nantong'),
      })),
      heartbeatIntervalMs: 100,
      slots: 5,
    })
    stoppers.push(() => simulator.stop())
    assert.equal((await simulator.signInAll()).succeeded, 10)
    await waitFor('every standby connection', () => simulator.census().standby === 10)

    const started = await post(`${url('nantong')}/v1/takeover`, { failedSite: 'shanghai' })
    assert.equal(started.status, 202)
    const id = String(started.body.id)

    await waitFor('every agent signed in at nantong', () => simulator.census().bySite.nantong === 10)
    const report = await waitFor('every re-login recorded', async () => {
      const answer = (await (await fetch(`${url('nantong')}/v1/takeover/${id}`)).json()) as TakeoverReport
      return answer.relogged === 10 ? answer : undefined
    })
    assert.equal(report.failedSite, 'shanghai')
    assert.equal(report.instructed, 10)
    assert.equal(report.reloginMilliseconds.count, 10)
    assert.ok(
      report.reloginMilliseconds.p50 <= report.reloginMilliseconds.p99 && report.reloginMilliseconds.p99 <= report.reloginMilliseconds.max,
    )
    assert.deepEqual(Object.keys(report.agents).sort(), Array.from({ length: 10 }, (_, index) => `A${100 + index}`).sort())

    for (const client of simulator.clients) {
      const session = client.session
      assert.ok(session)
      assert.equal(session.extension, `9${session.agentId.slice(1)}`, 'the nantong extension of the phone')
      assert.ok(session.operatorId >= 2000 && session.operatorId <= 2099, 'an ID from the nantong pool')
      assert.equal(await redis.nantong?.hget(`login:nantong:session:${session.agentId}`, 'sessionId'), await sessionIdOf(session.token))
    }
    assert.equal(simulator.events.get('relogin-instruction'), 10)
    await waitFor('the new primary connections at nantong', () => simulator.census().primary === 10)
    assert.equal((await fetch(`${url('nantong')}/v1/takeover/unknown`)).status, 404)
  })

  it('signs in at the peer by itself when its own site is confirmed lost', async () => {
    const shanghai = redisServers[0]
    assert.ok(shanghai)
    const doomed = await startTestLogin(shanghai.url, 'shanghai', objects)
    const events: AgentEvent[] = []
    const agent = new AgentClient({
      credentials: credentials('agent110@travel.example', 'PC-110'),
      primaryUrl: doomed.url,
      standbyUrl: url('nantong'),
      heartbeatIntervalMs: 50,
      lossConfirmations: 2,
      onEvent: (event) => events.push(event),
    })
    stoppers.push(() => agent.disconnect())
    await agent.signIn()
    await waitFor('both connections', () => agent.connections.primary && agent.connections.standby)

    await doomed.close()
    await waitFor('the agent at nantong', () => agent.session?.site === 'nantong')
    assert.ok(events.some((event) => event.type === 'site-lost' && event.site === 'shanghai'))
    assert.equal(agent.primaryUrl, url('nantong'))
    await waitFor('the primary connection at nantong', () => agent.connections.primary)
  })

  async function sessionIdOf(token: string): Promise<string> {
    const login = logins.nantong
    assert.ok(login)
    return (await login.context.tokens.verify(token)).sessionId
  }
})

import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { WebSocket } from 'ws'
import { AgentClient, type AgentEvent } from '../agent/client.ts'
import { LoginRefused } from '../agent/http.ts'
import type { Site } from '../../crds/types.ts'
import { applySite } from '../lib/projection/apply.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import type { LoginService } from './server.ts'
import { credentials, post, projectWorld, startTestLogin, worldObjects } from './testing/world.ts'

describe('login sign-in against real Redis', () => {
  const objects = worldObjects()
  let server: TestRedis
  let redis: Redis
  let login: LoginService
  const clients: AgentClient[] = []

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
    login = await startTestLogin(server.url, 'shanghai', objects)
  })
  after(async () => {
    for (const client of clients) client.disconnect()
    await login.close()
    redis.disconnect()
    await server.stop()
  })
  beforeEach(async () => {
    for (const client of clients.splice(0)) client.disconnect()
    await redis.flushall()
    await projectWorld(redis, objects)
  })

  const client = (account: string, pc: string, onEvent?: (event: AgentEvent) => void) => {
    const created = new AgentClient({
      credentials: credentials(account, pc),
      primaryUrl: login.url,
      heartbeatIntervalMs: 50,
      ...(onEvent ? { onEvent } : {}),
    })
    clients.push(created)
    return created
  }
  /** Every login: key of this site: sessions, leases, deadlines (the live state a sign-in leaves; not the attempt counters, which end with their window). */
  const liveKeys = async () =>
    (await redis.keys('login:shanghai:*')).filter((key) => !key.includes(':ended:') && !key.includes(':signin-attempts:')).sort()

  it('signs in end to end: account -> seat -> pool lease -> PC -> phone -> extension, heartbeats renew, sign-out releases all', async () => {
    const agent = client('Zhang.Wei@travel.example', 'sh-pc-0001')
    const session = await agent.signIn()
    assert.equal(session.agentId, 'A10001')
    assert.equal(session.site, 'shanghai')
    assert.equal(session.extension, '8001')
    assert.equal(session.pool, 'general')
    assert.ok(session.operatorId >= 1000 && session.operatorId <= 1009)
    await waitFor('the primary connection', () => agent.connections.primary)

    const leaseKey = 'login:shanghai:pool:general:leases'
    const firstExpiry = Number(await redis.zscore(leaseKey, String(session.operatorId)))
    const renewed = await waitFor('a heartbeat to renew the lease', async () => {
      const expiry = Number(await redis.zscore(leaseKey, String(session.operatorId)))
      return expiry > firstExpiry ? expiry : undefined
    })
    assert.ok(renewed > firstExpiry)
    assert.deepEqual(await redis.hgetall('login:shanghai:pool:general:owners'), { [String(session.operatorId)]: 'A10001' })

    await agent.signOut()
    assert.deepEqual(await liveKeys(), ['login:shanghai:pool:general:cursor'])
  })

  it('refuses with a clear reason and leaves nothing behind: unknown account, wrong password, unknown PC, no extension here, site not allowed', async () => {
    const cases = [
      { body: credentials('nobody@travel.example', 'SH-PC-0001'), status: 401, error: 'unknown-account' },
      { body: { ...credentials('zhang.wei@travel.example', 'SH-PC-0001'), password: 'wrong' }, status: 401, error: 'wrong-password' },
      { body: credentials('zhang.wei@travel.example', 'SH-PC-9999'), status: 422, error: 'unknown-pc' },
      { body: credentials('zhao.lei@travel.example', 'NT-PC-0004'), status: 422, error: 'no-extension' },
      { body: credentials('wang.fang@travel.example', 'SH-PC-0001'), status: 403, error: 'site-not-allowed' },
      { body: { account: 'zhang.wei@travel.example' }, status: 400, error: 'bad-request' },
    ]
    for (const { body, status, error } of cases) {
      const answer = await post(`${login.url}/v1/signin`, body)
      assert.equal(answer.status, status, error)
      assert.equal(answer.body.error, error)
      assert.equal(typeof answer.body.message, 'string')
    }
    const noExtension = await post(`${login.url}/v1/signin`, credentials('zhao.lei@travel.example', 'NT-PC-0004'))
    assert.match(String(noExtension.body.message), /no extension at site shanghai/)
    assert.deepEqual(await liveKeys(), [])
  })

  it('refuses a sign-in when the pool is exhausted, with no partial state, and serves it again once an ID is released', async () => {
    await client('li.na@travel.example', 'SH-PC-0002').signIn({ connect: false })
    const again = await post(`${login.url}/v1/signin`, credentials('li.na@travel.example', 'SH-PC-0002'))
    assert.equal(again.status, 200, 'the same agent signing in again replaces its own session')
    assert.equal(again.body.operatorId, 1900, 'and keeps its ID')

    const dumpLive = async () => Promise.all((await liveKeys()).map(async (key) => [key, await redis.dump(key)]))
    const before = await dumpLive()
    const refused = await post(`${login.url}/v1/signin`, credentials('chen.jie@travel.example', 'SH-PC-0003'))
    assert.equal(refused.status, 503)
    assert.equal(refused.body.error, 'pool-exhausted')
    assert.match(String(refused.body.message), /pool vip at site shanghai/)
    assert.deepEqual(await dumpLive(), before, 'a refused sign-in changes nothing')

    await post(`${login.url}/v1/signout`, {}, String(again.body.token))
    const served = await post(`${login.url}/v1/signin`, credentials('chen.jie@travel.example', 'SH-PC-0003'))
    assert.equal(served.status, 200)
    assert.equal(served.body.operatorId, 1900)
  })

  it('keeps exactly one session when the same agent signs in many times at once: the last one wins', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 12 }, () => post(`${login.url}/v1/signin`, credentials('zhang.wei@travel.example', 'SH-PC-0001'))),
    )
    assert.ok(attempts.every((answer) => answer.status === 200))
    assert.equal(await redis.zcard('login:shanghai:session-deadlines'), 1)
    assert.equal(await redis.hlen('login:shanghai:pool:general:owners'), 1)
    assert.equal(new Set(attempts.map((answer) => answer.body.operatorId)).size, 1, 'the replacing sign-ins keep the same ID')

    const live = await redis.hget('login:shanghai:session:A10001', 'sessionId')
    const outcomes = await Promise.all(
      attempts.map(async (answer) => (await post(`${login.url}/v1/signout`, {}, String(answer.body.token))).body.ended),
    )
    assert.equal(outcomes.filter((ended) => ended === true).length, 1, 'only the live session can be signed out')
    assert.ok(live)
    assert.deepEqual(await liveKeys(), ['login:shanghai:pool:general:cursor'])
  })

  it('tells a replaced session it was replaced', async () => {
    const events: AgentEvent[] = []
    const first = client('zhang.wei@travel.example', 'SH-PC-0001', (event) => events.push(event))
    await first.signIn()
    await waitFor('the first connection', () => first.connections.primary)
    await client('zhang.wei@travel.example', 'SH-PC-0001').signIn()
    const signedOut = await waitFor('the replaced client to be told', () => events.find((event) => event.type === 'signed-out'))
    assert.deepEqual(signedOut, { type: 'signed-out', reason: 'replaced' })
  })

  /** Projects a Site's new spec.traffic, as the operator does when a person patches it. */
  const setTraffic = async (name: string, traffic: NonNullable<Site['spec']['traffic']>) => {
    const site = objects.sites.find((object) => object.metadata.name === name)
    assert.ok(site)
    await applySite(redis, { ...site, spec: { ...site.spec, traffic } })
  }

  it('refuses new agents at a Drained site, naming the peer, while a signed-in agent keeps its heartbeats and may come back', async () => {
    const agent = client('zhang.wei@travel.example', 'SH-PC-0001')
    const session = await agent.signIn()
    await waitFor('the primary connection', () => agent.connections.primary)
    await setTraffic('shanghai', 'Drain')

    const refused = await post(`${login.url}/v1/signin`, credentials('li.na@travel.example', 'SH-PC-0002'))
    assert.equal(refused.status, 503)
    assert.equal(refused.body.error, 'site-draining')
    assert.equal(refused.body.message, 'site shanghai is draining (spec.traffic=Drain): sign in at nantong')
    const claims = await login.context.tokens.verify(session.token)
    const nantongToken = await login.context.tokens.issue({ ...claims, agentId: 'A10002', site: 'nantong', pcHostName: 'SH-PC-0002' })
    const peerRelogin = await post(`${login.url}/v1/relogin`, { token: nantongToken })
    assert.equal(peerRelogin.status, 503)
    assert.equal(peerRelogin.body.error, 'site-draining')
    assert.equal(await redis.exists('login:shanghai:session:A10002'), 0, 'a refused agent leaves no session behind')

    // The agent already here stays until the drain moves it after its call: its heartbeats renew its lease.
    const leaseKey = 'login:shanghai:pool:general:leases'
    const drainedAt = Number(await redis.zscore(leaseKey, String(session.operatorId)))
    await waitFor('a heartbeat to renew the lease at the Drained site', async () => {
      return Number(await redis.zscore(leaseKey, String(session.operatorId))) > drainedAt ? true : undefined
    })
    const back = await post(`${login.url}/v1/relogin`, { token: session.token })
    assert.equal(back.status, 200, 'an agent of this site re-logs in with its own token (a lost lease, a move refused elsewhere)')
    assert.equal(back.body.operatorId, session.operatorId)

    const metrics = await (await fetch(`${login.url}/metrics`)).text()
    assert.match(metrics, /login_signin_failures_total\{reason="site-draining",site="shanghai"\} 2/)

    await setTraffic('shanghai', 'Active')
    const served = await post(`${login.url}/v1/signin`, credentials('li.na@travel.example', 'SH-PC-0002'))
    assert.equal(served.status, 200, 'Active again: new agents are welcome')
  })

  it('refuses everyone at a Fenced site, its own agents too, and a survivor that is Active takes them', async () => {
    const session = await client('zhang.wei@travel.example', 'SH-PC-0001').signIn({ connect: false })
    await setTraffic('shanghai', 'Fenced')
    const own = await post(`${login.url}/v1/relogin`, { token: session.token })
    assert.equal(own.status, 503)
    assert.equal(own.body.error, 'site-fenced')
    assert.equal(own.body.message, 'site shanghai is fenced (spec.traffic=Fenced): sign in at nantong')
    const password = await post(`${login.url}/v1/signin`, credentials('chen.jie@travel.example', 'SH-PC-0003'))
    assert.equal(password.body.error, 'site-fenced')
    assert.match(String(password.body.message), /no other site this agent may use is Active/, "chen.jie's phone has no line at nantong")

    const nantong = await startTestLogin(server.url, 'nantong', objects)
    try {
      const moved = await post(`${nantong.url}/v1/relogin`, { token: session.token })
      assert.equal(moved.status, 200, 'the takeover re-login at the Active survivor is accepted')
      assert.equal(moved.body.site, 'nantong')
      assert.equal(moved.body.extension, '6001')
      await setTraffic('nantong', 'Drain')
      const bothOut = await post(`${nantong.url}/v1/signin`, credentials('li.na@travel.example', 'SH-PC-0002'))
      assert.equal(bothOut.body.message, 'site nantong is draining (spec.traffic=Drain): no other site this agent may use is Active')
    } finally {
      await nantong.close()
    }
  })

  it("an agent client whose own site is Drained signs in at its standby's site, and keeps its own as the standby", async (t) => {
    await setTraffic('shanghai', 'Drain')
    const nantong = await startTestLogin(server.url, 'nantong', objects)
    const agent = new AgentClient({
      credentials: credentials('zhang.wei@travel.example', 'SH-PC-0001'),
      primaryUrl: login.url,
      standbyUrl: nantong.url,
      heartbeatIntervalMs: 200,
    })
    t.after(async () => {
      agent.disconnect()
      await nantong.close()
    })
    const session = await agent.signIn()
    assert.equal(session.site, 'nantong')
    assert.equal(session.extension, '6001', "the phone's nantong line")
    assert.equal(agent.primaryUrl, nantong.url)
    await waitFor('the primary at nantong and the standby at shanghai', () => agent.connections.primary && agent.connections.standby)
    assert.equal(await redis.exists('login:shanghai:session:A10001'), 0, 'nothing left at the Drained site')
  })

  it('an agent whose own site is lost and whose standby site refuses it asks again with a growing delay, not at every heartbeat', async (t) => {
    const shanghai = await startTestLogin(server.url, 'shanghai', objects)
    const nantong = await startTestLogin(server.url, 'nantong', objects)
    const events: AgentEvent[] = []
    const agent = new AgentClient({
      credentials: credentials('zhang.wei@travel.example', 'SH-PC-0001'),
      primaryUrl: shanghai.url,
      standbyUrl: nantong.url,
      heartbeatIntervalMs: 100,
      lossConfirmations: 1,
      onEvent: (event) => events.push(event),
    })
    t.after(async () => {
      agent.disconnect()
      await nantong.close()
    })
    await agent.signIn()
    await waitFor('both connections', () => agent.connections.primary && agent.connections.standby)
    await setTraffic('nantong', 'Fenced')
    await shanghai.close()

    const refusals = () =>
      events.filter((event) => event.type === 'error' && /^re-login at .* failed: site nantong is fenced/.test(event.message)).length
    await waitFor('the first refused sign-in at nantong', () => refusals() > 0)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const ticks = 3_000 / 100
    assert.ok(refusals() <= 6, `${refusals()} attempts in 3 s, at ${ticks} heartbeats`)
    assert.equal(agent.session?.site, 'shanghai', 'still holding its lost session, signed in nowhere else')
  })

  it('refuses an expired token on the WebSocket and on sign-out, and a forged one', async () => {
    const session = await client('zhang.wei@travel.example', 'SH-PC-0001').signIn({ connect: false })
    const claims = await login.context.tokens.verify(session.token)
    const expired = await login.context.tokens.issue(claims, Date.now() - 3_600_000)

    const signOut = await post(`${login.url}/v1/signout`, {}, expired)
    assert.equal(signOut.status, 401)
    assert.equal(signOut.body.error, 'token-expired')
    const forged = await post(`${login.url}/v1/signout`, {}, `${session.token.slice(0, -4)}AAAA`)
    assert.equal(forged.body.error, 'token-invalid')

    const socket = new WebSocket(`${login.url.replace('http', 'ws')}/v1/agent`)
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'hello', token: expired, mode: 'primary' }))
    const [reply] = (await Promise.all([
      new Promise((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString())))),
      new Promise((resolve) => socket.once('close', resolve)),
    ])) as [Record<string, unknown>, unknown]
    assert.equal(reply.type, 'signed-out')
    assert.equal(reply.reason, 'token-expired')

    const refusedRelogin = await post(`${login.url}/v1/relogin`, { token: expired })
    assert.equal(refusedRelogin.body.error, 'token-expired')
    await assert.rejects(
      client('nobody@travel.example', 'SH-PC-0001').signIn(),
      (error: unknown) => error instanceof LoginRefused && error.code === 'unknown-account',
    )
  })
})

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { AgentClient } from '../agent/client.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { defaultSignInLimits } from './attempt-limits.ts'
import type { LoginService } from './server.ts'
import { credentials, post, projectWorld, startTestLogin, worldObjects } from './testing/world.ts'

describe('operator-ID leases against real Redis', () => {
  let server: TestRedis
  let redis: Redis
  const services: LoginService[] = []
  const clients: AgentClient[] = []

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
  })
  after(async () => {
    for (const client of clients) client.disconnect()
    for (const service of services) await service.close()
    redis.disconnect()
    await server.stop()
  })

  async function world(options: Parameters<typeof worldObjects>[0], overrides: Parameters<typeof startTestLogin>[3] = {}) {
    // Every replica of a site sweeps its sessions: leave only this test's.
    for (const service of services.splice(0)) await service.close()
    await redis.flushall()
    const objects = worldObjects(options)
    await projectWorld(redis, objects)
    const service = await startTestLogin(server.url, 'shanghai', objects, overrides)
    services.push(service)
    return service
  }

  it('never hands out one ID twice when many agents sign in at once, and refuses the rest cleanly', async () => {
    const login = await world({ shanghaiPools: [{ name: 'general', from: 1000, to: 1029 }], extraAgents: 40 })
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        post(`${login.url}/v1/signin`, credentials(`agent${100 + index}@travel.example`, `PC-${100 + index}`)),
      ),
    )
    const granted = answers.filter((answer) => answer.status === 200).map((answer) => answer.body.operatorId)
    assert.equal(granted.length, 30)
    assert.equal(new Set(granted).size, 30, 'every granted ID is different')
    assert.equal(answers.filter((answer) => answer.body.error === 'pool-exhausted').length, 10)
    assert.equal(await redis.hlen('login:shanghai:pool:general:owners'), 30)
    assert.equal(await redis.zcard('login:shanghai:session-deadlines'), 30)
  })

  it('renews a lease with heartbeats, and lets an unrenewed lease expire so another agent gets its ID', async () => {
    // One ID with a one-second lease (below the CRD minimum of 30 s, to keep the test short); sessions outlive it.
    // The test polls sign-ins from one address until the lease is free: more than that address may make by default.
    const login = await world(
      { shanghaiPools: [{ name: 'general', from: 1000, to: 1000, leaseSeconds: 1 }] },
      { sessionTimeoutMs: 60_000, signInLimits: { ...defaultSignInLimits, attemptsPerAddress: 1_000 } },
    )
    const holder = new AgentClient({
      credentials: credentials('zhang.wei@travel.example', 'SH-PC-0001'),
      primaryUrl: login.url,
      heartbeatIntervalMs: 100,
    })
    clients.push(holder)
    const held = await holder.signIn()
    assert.equal(held.operatorId, 1000)
    const leasedAt = Number(await redis.zscore('login:shanghai:pool:general:leases', '1000'))

    // Past the first lease's end, the heartbeats have kept it: the other agent is refused.
    await waitFor('the lease to be renewed past its first expiry', async () => {
      const expiry = Number(await redis.zscore('login:shanghai:pool:general:leases', '1000'))
      return expiry > leasedAt + 1_000
    })
    const refused = await post(`${login.url}/v1/signin`, credentials('zhao.lei@travel.example', 'SH-PC-0002'))
    assert.equal(refused.body.error, 'pool-exhausted')
    assert.equal(await login.context.store.leaseHolder('general', 1000), 'A10001')

    // The holder's desktop dies: no sign-out, no heartbeats. Its session lives on, its lease runs out.
    holder.disconnect()
    const taken = await waitFor('the expired lease to be leased again', async () => {
      const answer = await post(`${login.url}/v1/signin`, credentials('zhao.lei@travel.example', 'SH-PC-0002'))
      return answer.status === 200 ? answer : undefined
    })
    assert.equal(taken.body.operatorId, 1000)
    assert.equal(await login.context.store.leaseHolder('general', 1000), 'A10004')
    assert.equal(await redis.exists('login:shanghai:session:A10001'), 1, 'the silent session itself had not timed out yet')
  })

  it('ends a session whose heartbeats stop, releases its lease and tells the ACD', async () => {
    const requests: string[] = []
    const acd: Server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`)
      request.resume()
      response.end('{}')
    })
    acd.listen(0, '127.0.0.1')
    await once(acd, 'listening')
    const address = acd.address()
    assert.ok(address !== null && typeof address === 'object')
    try {
      const login = await world({}, { sessionTimeoutMs: 300, acdUrl: `http://127.0.0.1:${address.port}` })
      const agent = new AgentClient({
        credentials: credentials('zhang.wei@travel.example', 'SH-PC-0001'),
        primaryUrl: login.url,
        heartbeatIntervalMs: 50,
      })
      clients.push(agent)
      const session = await agent.signIn()
      await waitFor('the ACD to hear of the sign-in', () => requests.includes('PUT /v1/agents/A10001'))
      agent.disconnect()
      await waitFor('the silent session to end', async () => (await redis.exists('login:shanghai:session:A10001')) === 0)
      assert.equal(await login.context.store.leaseHolder(session.pool, session.operatorId), null)
      assert.equal(await redis.zcard('login:shanghai:session-deadlines'), 0)
      await waitFor('the ACD to hear of the sign-out', () => requests.includes('DELETE /v1/agents/A10001'))
      const metrics = await (await fetch(`${login.url}/metrics`)).text()
      assert.match(metrics, /login_sessions_expired_total\{site="shanghai"\} 1/)
    } finally {
      acd.close()
    }
  })
})

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { AgentSimulator } from '../agent/simulator.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import type { LoginService } from './server.ts'
import { credentials, post, projectWorld, startTestLogin, worldObjects } from './testing/world.ts'

describe('Redis restarted mid-run (real redis-server, no persistence)', () => {
  const objects = worldObjects({ extraAgents: 20, shanghaiPools: [{ name: 'general', from: 1000, to: 1099 }] })
  let server: TestRedis
  let redis: Redis
  let login: LoginService
  let simulator: AgentSimulator

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
    await projectWorld(redis, objects)
    login = await startTestLogin(server.url, 'shanghai', objects)
    simulator = new AgentSimulator({
      agents: Array.from({ length: 20 }, (_, index) => ({
        credentials: credentials(`agent${100 + index}@travel.example`, `PC-${100 + index}`),
        primaryUrl: login.url,
      })),
      heartbeatIntervalMs: 100,
      slots: 5,
    })
  })
  after(async () => {
    simulator.stop()
    await login.close()
    redis.disconnect()
    await server.stop()
  })

  it('re-creates every session and lease from the next heartbeats, with the same operator IDs', async () => {
    const storm = await simulator.signInAll()
    assert.equal(storm.succeeded, 20)
    await waitFor('every primary connection', () => simulator.census().primary === 20)
    const idsBefore = new Map(simulator.clients.map((client) => [client.session?.agentId, client.session?.operatorId]))

    await server.restart()
    assert.deepEqual(await redis.keys('cc:*'), [], 'the restart lost everything (the projection too)')

    await waitFor('every session to be back', async () => (await redis.zcard('login:shanghai:session-deadlines')) === 20)
    for (const [agentId, operatorId] of idsBefore) {
      assert.ok(agentId !== undefined && operatorId !== undefined)
      assert.equal(await redis.hget(`login:shanghai:session:${agentId}`, 'operatorId'), String(operatorId))
      assert.equal(await login.context.store.leaseHolder('general', operatorId), agentId)
    }
    assert.equal(simulator.events.get('recovered'), 20)
    assert.equal(simulator.events.get('signed-out'), undefined, 'nobody was signed out')
    assert.equal(simulator.census().signedIn, 20)

    // Once the operator has projected again, a new agent gets an ID none of the recovered agents hold.
    await projectWorld(redis, objects)
    const newcomer = await post(`${login.url}/v1/signin`, credentials('zhang.wei@travel.example', 'SH-PC-0001'))
    assert.equal(newcomer.status, 200)
    assert.ok(![...idsBefore.values()].includes(Number(newcomer.body.operatorId)))
  })
})

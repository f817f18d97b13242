// Planned switchover by skill group: a SkillGroup pinned to another site is never offered to this
// site's agents; its calls go to the pinned site — new ones, waiting ones, ones that overflow into it
// and ones whose offer rang out. Engine tests on a hand-moved clock, then the operator's projection of
// a pinned SkillGroup into a real redis-server read by a running ACD.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { validSkillGroup } from '../../crds/catalog/valid.ts'
import { applySkillGroup } from '../lib/projection/apply.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { AcdEngine } from './engine.ts'
import type { Call, SkillGroupSpec } from './model.ts'
import { startAcd, type RunningAcd } from './service.ts'

const SITE = 'shanghai'
const spec = (extra: Partial<SkillGroupSpec> = {}): SkillGroupSpec => ({
  strategy: 'LongestIdle',
  serviceLevel: { targetPercent: 80, withinSeconds: 20 },
  ...extra,
})

function setup() {
  const clock = { now: 1_000_000 }
  let ids = 0
  const engine = new AcdEngine({ site: SITE, now: () => clock.now, newId: () => `r${++ids}`, reservationGraceMs: 0 })
  const signIn = (agentId: string, groups: string[]) =>
    engine.signIn(agentId, {
      site: SITE,
      extension: `ext-${agentId}`,
      operatorId: `op-${agentId}`,
      skills: groups.map((skillGroup) => ({ skillGroup, proficiency: 5 })),
    })
  let calls = 0
  const queue = (skillGroup: string): Call => engine.queueCall({ callId: `c${++calls}`, skillGroup, caller: '02100000000', called: '4008' })
  const advance = (ms: number) => {
    clock.now += ms
    engine.tick()
  }
  return { engine, signIn, queue, advance }
}

describe('ACD: a SkillGroup pinned to another site', () => {
  it('sends new calls of the group to the pinned site, never to the agents here', () => {
    const { engine, signIn, queue } = setup()
    engine.setSkillGroup('hotel', spec({ pinnedSite: 'nantong' }))
    signIn('A1', ['hotel'])
    const call = queue('hotel')
    assert.equal(call.state, 'Transferred')
    assert.deepEqual(call.instruction, { seq: 2, kind: 'transfer', site: 'nantong', skillGroup: 'hotel' })
    assert.equal(engine.getAgent('A1')?.state, 'Idle')
  })

  it('a group pinned to this very site is served here', () => {
    const { engine, signIn, queue } = setup()
    engine.setSkillGroup('hotel', spec({ pinnedSite: SITE }))
    signIn('A1', ['hotel'])
    assert.equal(queue('hotel').instruction.kind, 'offer')
  })

  it('sends the calls already waiting to the pinned site when the pin arrives, and later agents here get none', () => {
    const { engine, signIn, queue } = setup()
    engine.setSkillGroup('hotel', spec())
    const waiting = [queue('hotel'), queue('hotel')]
    assert.deepEqual(
      waiting.map((call) => call.state),
      ['Queued', 'Queued'],
    )
    engine.setSkillGroup('hotel', spec({ pinnedSite: 'nantong' }), 2)
    for (const call of waiting) assert.deepEqual(call.instruction, { seq: 2, kind: 'transfer', site: 'nantong', skillGroup: 'hotel' })
    signIn('A1', ['hotel'])
    assert.equal(engine.getAgent('A1')?.state, 'Idle')
    assert.equal(engine.stats().find((s) => s.skillGroup === 'hotel')?.waiting, 0)
  })

  it('a call that overflows into a pinned group goes to the pinned site', () => {
    const { engine, signIn, queue, advance } = setup()
    engine.setSkillGroup('flight', spec({ overflow: { afterSeconds: 30, skillGroup: 'hotel' } }))
    engine.setSkillGroup('hotel', spec({ pinnedSite: 'nantong' }))
    signIn('A1', ['hotel'])
    const call = queue('flight')
    advance(30_000)
    assert.equal(call.state, 'Transferred')
    assert.equal(call.instruction.kind, 'transfer')
    assert.deepEqual(call.instruction, { seq: call.instruction.seq, kind: 'transfer', site: 'nantong', skillGroup: 'hotel' })
    assert.equal(engine.getAgent('A1')?.state, 'Idle')
  })

  it('a call offered here before the pin goes to the pinned site when nobody answers', () => {
    const { engine, signIn, queue } = setup()
    engine.setSkillGroup('hotel', spec())
    signIn('A1', ['hotel'])
    const call = queue('hotel')
    const offered = call.instruction
    assert.ok(offered.kind === 'offer')
    engine.setSkillGroup('hotel', spec({ pinnedSite: 'nantong' }), 2)
    assert.equal(call.state, 'Offered', 'a ringing offer is left to ring')
    engine.noAnswer(offered.reservationId)
    assert.deepEqual(call.instruction, { seq: 4, kind: 'transfer', site: 'nantong', skillGroup: 'hotel' })
  })
})

describe('ACD: pinnedSite from the projection in a real redis-server', () => {
  let redisServer: TestRedis
  let redis: Redis
  let acd: RunningAcd

  before(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    await applySkillGroup(redis, validSkillGroup('hotel'))
    acd = await startAcd({ site: SITE, redisUrl: redisServer.url, host: '127.0.0.1', port: 0, tickMilliseconds: 50 })
  })
  after(async () => {
    await acd.close()
    redis.disconnect()
    await redisServer.stop()
  })

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${acd.url}${path}`, {
      method: path.startsWith('/v1/agents') ? 'PUT' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as { state?: string; instruction?: unknown } }
  }

  it('carries pinnedSite from the SkillGroup to the ACD, which then transfers the group calls', async () => {
    const agent = await post('/v1/agents/A1', {
      site: SITE,
      extension: '8001',
      operatorId: '1001',
      skills: [{ skillGroup: 'hotel', proficiency: 5 }],
    })
    assert.equal(agent.status, 200)
    const beforePin = await post('/v1/calls', { callId: 'before-pin', skillGroup: 'hotel' })
    assert.equal((beforePin.body.instruction as { kind: string }).kind, 'offer')

    const pinned = validSkillGroup('hotel')
    pinned.metadata.generation = 2
    pinned.spec.pinnedSite = 'nantong'
    await applySkillGroup(redis, pinned)
    const projected = JSON.parse((await redis.get('cc:skillgroup:hotel')) ?? '{}') as { pinnedSite?: string }
    assert.equal(projected.pinnedSite, 'nantong', 'the projection carries pinnedSite')

    const afterPin = await waitFor('the ACD to transfer the group calls', async () => {
      const answer = await post('/v1/calls', { callId: `after-pin-${Date.now()}`, skillGroup: 'hotel' })
      return answer.body.state === 'Transferred' ? answer : undefined
    })
    assert.deepEqual(afterPin.body.instruction, { seq: 2, kind: 'transfer', site: 'nantong', skillGroup: 'hotel' })
  })
})

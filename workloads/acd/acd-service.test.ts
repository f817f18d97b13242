// The ACD as a service: HTTP API against a real redis-server started by the test, including a restart
// of the ACD that must recover agents, queued calls and open reservations from Redis.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { PROJECTION_CHANNEL, projectionKeys } from '../lib/keys.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import type { Agent, Instruction, SkillGroupSpec } from './model.ts'
import { startAcd, type RunningAcd } from './service.ts'

const SITE = 'shanghai'

interface CallView {
  callId: string
  state: string
  skillGroup: string
  agentId?: string
  instruction: Instruction
}

// The type parameter states the reply's expected shape: the test checks it with assertions.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function request<T>(acd: RunningAcd, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${acd.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T }
}

async function project(redis: Redis, name: string, spec: SkillGroupSpec, generation = 1): Promise<void> {
  await redis.set(projectionKeys.skillGroup(name), JSON.stringify({ ...spec, name, generation }))
  await redis.sadd(projectionKeys.skillGroupIndex(), name)
  await redis.publish(PROJECTION_CHANNEL, JSON.stringify({ kind: 'SkillGroup', name, op: 'upsert' }))
}

function signIn(acd: RunningAcd, agentId: string, extension: string, status: 'Available' | 'Break' = 'Available') {
  return request<Agent>(acd, 'PUT', `/v1/agents/${agentId}`, {
    site: SITE,
    extension,
    operatorId: `op-${agentId}`,
    skills: [{ skillGroup: 'hotel', proficiency: 5 }],
    status,
  })
}

/** Polls until the check passes; the ACD's ticker works in real time here. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`)
    await sleep(50)
  }
}

describe('ACD service over HTTP against a real redis-server', () => {
  let redisServer: TestRedis
  let redis: Redis
  let acd: RunningAcd
  const start = () => startAcd({ site: SITE, redisUrl: redisServer.url, host: '127.0.0.1', port: 0, tickMilliseconds: 50 })

  before(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    await project(redis, 'hotel', { strategy: 'LongestIdle', serviceLevel: { targetPercent: 80, withinSeconds: 20 }, wrapUpSeconds: 1 })
    acd = await start()
  })

  after(async () => {
    await acd.close()
    redis.disconnect()
    await redisServer.stop()
  })

  it('signs agents in, offers a queued call, connects it, and returns the agent to Idle after wrap-up', async () => {
    assert.equal((await signIn(acd, 'A1', '8001')).status, 200)
    assert.equal((await signIn(acd, 'A2', '8002')).status, 200)

    const queued = await request<CallView>(acd, 'POST', '/v1/calls', {
      callId: 'call-1',
      skillGroup: 'hotel',
      caller: '02150001',
      called: '4008',
    })
    assert.equal(queued.status, 201)
    const offer = queued.body.instruction
    assert.equal(offer.kind, 'offer')
    assert.deepEqual(offer.agents, [{ agentId: 'A1', extension: '8001', operatorId: 'op-A1' }])
    assert.equal((await request<Agent>(acd, 'GET', '/v1/agents/A1')).body.state, 'Reserved')

    const answered = await request<CallView>(acd, 'POST', `/v1/reservations/${offer.reservationId}/answered`, { agentId: 'A1' })
    assert.equal(answered.body.state, 'Answered')
    assert.equal((await request<Agent>(acd, 'GET', '/v1/agents/A1')).body.state, 'OnCall')

    assert.equal((await request<CallView>(acd, 'POST', '/v1/calls/call-1/ended')).status, 200)
    assert.equal((await request<Agent>(acd, 'GET', '/v1/agents/A1')).body.state, 'WrapUp')
    await eventually(
      'A1 back to Idle after 1 s of wrap-up',
      async () => (await request<Agent>(acd, 'GET', '/v1/agents/A1')).body.state === 'Idle',
    )
    assert.equal((await request(acd, 'GET', '/v1/calls/call-1')).status, 404)
  })

  it('a long-poll for the next instruction returns the offer as soon as an agent is free', async () => {
    assert.equal((await request(acd, 'PUT', '/v1/agents/A1/status', { status: 'Break' })).status, 200)
    assert.equal((await request(acd, 'PUT', '/v1/agents/A2/status', { status: 'Break' })).status, 200)
    const queued = await request<CallView>(acd, 'POST', '/v1/calls', { callId: 'call-2', skillGroup: 'hotel', caller: '02150002' })
    assert.equal(queued.body.instruction.kind, 'wait')
    const next = request<Instruction>(acd, 'GET', `/v1/calls/call-2/instruction?after=${queued.body.instruction.seq}&waitSeconds=10`)
    await request(acd, 'PUT', '/v1/agents/A2/status', { status: 'Available' })
    const instruction = (await next).body
    assert.equal(instruction.kind, 'offer')
    assert.deepEqual(
      instruction.agents.map((a) => a.agentId),
      ['A2'],
    )
  })

  it('a restarted ACD recovers agents, waiting calls and open reservations from Redis', async () => {
    const waiting = await request<CallView>(acd, 'POST', '/v1/calls', { callId: 'call-3', skillGroup: 'hotel', caller: '02150003' })
    assert.equal(waiting.body.state, 'Queued')
    const ringing = (await request<CallView>(acd, 'GET', '/v1/calls/call-2')).body.instruction
    assert.equal(ringing.kind, 'offer')

    await acd.close()
    acd = await start()

    const a1 = (await request<Agent>(acd, 'GET', '/v1/agents/A1')).body
    assert.deepEqual([a1.status, a1.state, a1.callsTaken], ['Break', 'Idle', 1])
    assert.equal((await request<Agent>(acd, 'GET', '/v1/agents/A2')).body.state, 'Reserved')
    assert.equal((await request<CallView>(acd, 'GET', '/v1/calls/call-3')).body.state, 'Queued')
    const answered = await request<CallView>(acd, 'POST', `/v1/reservations/${ringing.reservationId}/answered`, { agentId: 'A2' })
    assert.equal(answered.status, 200, 'the reservation made before the restart can still be answered')
    await request(acd, 'PUT', '/v1/agents/A1/status', { status: 'Available' })
    const offered = (await request<CallView>(acd, 'GET', '/v1/calls/call-3')).body.instruction
    assert.equal(offered.kind, 'offer')
    assert.deepEqual(
      offered.agents.map((a) => a.agentId),
      ['A1'],
    )

    const stats = (await request<{ totals: { answered: number } }>(acd, 'GET', '/v1/skillgroups/hotel')).body
    assert.equal(stats.totals.answered, 1, 'counted since this start; the service-level window itself is recovered')
  })

  it('recovers the service-level window and caller history after a restart', async () => {
    const before = (await request<{ serviceLevel: { offered: number } }>(acd, 'GET', '/v1/skillgroups/hotel')).body.serviceLevel.offered
    await acd.close()
    acd = await start()
    const after = (await request<{ serviceLevel: { offered: number } }>(acd, 'GET', '/v1/skillgroups/hotel')).body.serviceLevel.offered
    assert.equal(after, before)
    assert.ok(after >= 2)
    assert.equal(await redis.hget('acd:caller:02150001', 'last'), 'A1')
  })

  it('refuses with clear errors: wrong site, unknown group, unknown reservation, bad body', async () => {
    const wrongSite = await request<{ error: string }>(acd, 'PUT', '/v1/agents/A9', {
      site: 'nantong',
      extension: '1',
      operatorId: '1',
      skills: [],
    })
    assert.equal(wrongSite.status, 409)
    assert.equal(wrongSite.body.error, 'agent A9 signs in at site nantong, but this ACD serves shanghai')
    const unknownGroup = await request<{ error: string }>(acd, 'POST', '/v1/calls', { callId: 'x', skillGroup: 'golf' })
    assert.equal(unknownGroup.status, 404)
    assert.equal(unknownGroup.body.error, 'skill group golf is not known to the ACD at shanghai')
    const unknownReservation = await request<{ error: string }>(acd, 'POST', '/v1/reservations/nope/no-answer')
    assert.equal(unknownReservation.status, 404)
    assert.match(unknownReservation.body.error, /reservation nope is not open/)
    const badBody = await request<{ error: string }>(acd, 'PUT', '/v1/agents/A1/status', { status: 'Sleeping' })
    assert.equal(badBody.status, 400)
  })

  it('follows the projection: a new group is served, a group whose rule does not compile is refused with rule and position', async () => {
    await project(redis, 'vip', { strategy: 'MostServed', serviceLevel: { targetPercent: 90, withinSeconds: 10 } })
    await project(redis, 'broken', {
      strategy: 'LongestIdle',
      serviceLevel: { targetPercent: 80, withinSeconds: 20 },
      rules: { eligibility: 'agent.proficiency >=' },
    })
    await eventually('the ACD to see the projected groups', async () => {
      const list = (
        await request<{ skillGroups: { skillGroup: string }[]; refused: Record<string, string> }>(acd, 'GET', '/v1/skillgroups')
      ).body
      return list.skillGroups.some((g) => g.skillGroup === 'vip') && list.refused.broken !== undefined
    })
    const list = (await request<{ refused: Record<string, string> }>(acd, 'GET', '/v1/skillgroups')).body
    assert.match(
      list.refused.broken ?? '',
      /^SkillGroup broken: rules\.eligibility: does not compile: .* at line 1, column \d+ \(in "agent\.proficiency >="\)$/,
    )
    assert.equal((await request(acd, 'POST', '/v1/calls', { callId: 'b1', skillGroup: 'broken' })).status, 404)
  })

  it('exposes queue metrics for Prometheus', async () => {
    const offer = (await request<CallView>(acd, 'GET', '/v1/calls/call-3')).body.instruction
    assert.equal(offer.kind, 'offer')
    await request(acd, 'POST', `/v1/reservations/${offer.reservationId}/answered`, { agentId: 'A1' })
    const response = await fetch(`${acd.url}/metrics`)
    const text = await response.text()
    assert.match(text, /^acd_queue_waiting\{skill_group="hotel",site="shanghai"\} \d+$/m)
    assert.match(text, /^acd_queue_longest_wait_seconds\{skill_group="hotel",site="shanghai"\} \d+$/m)
    assert.match(text, /^acd_service_level_percent\{skill_group="hotel",site="shanghai"\} \d+$/m)
    assert.match(text, /^acd_calls_answered_total\{skill_group="hotel",site="shanghai"\} 1$/m)
    assert.match(text, /^acd_agents\{state="\w+",site="shanghai"\} \d+$/m)
  })
})
